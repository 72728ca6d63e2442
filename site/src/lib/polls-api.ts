import * as z from 'zod';
import { locales } from '../i18n/index.ts';
import { read, readOptional, segment, send } from './api.ts';
import { ModerationSchema } from './moderation-schema.ts';

/** Polls in the API's words: what the site shows of a poll, its results and the caller's own ballot. */

export const pollStatuses = ['draft', 'open', 'closed'] as const;
export type PollStatus = (typeof pollStatuses)[number];

const AudienceSchema = z.union([
  z.object({ scope: z.literal('municipality') }),
  z.object({ scope: z.literal('neighbourhoods'), neighbourhoodIds: z.array(z.string()) }),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export const PollSchema = z.object({
  id: z.string(),
  municipalityId: z.string(),
  owner: z.union([
    z.object({ kind: z.literal('municipality'), municipalityId: z.string() }),
    z.object({ kind: z.literal('initiative'), initiativeId: z.string() }),
  ]),
  language: z.enum(locales),
  question: z.string(),
  description: z.string(),
  options: z.array(z.object({ id: z.string(), label: z.string() })),
  choice: z.enum(['single', 'multiple']),
  maxChoices: z.number(),
  audience: AudienceSchema,
  opensAt: z.string(),
  closesAt: z.string(),
  resultsVisibility: z.enum(['live', 'after-close']),
  status: z.enum(pollStatuses),
  closedAt: z.string().optional(),
  /** Hidden by the municipality: only its owners and staff get it, and see this. */
  moderation: ModerationSchema.optional(),
});
export type Poll = z.infer<typeof PollSchema>;

const PollPageSchema = z.object({ items: z.array(PollSchema), nextCursor: z.string().optional() });
export type PollPage = z.infer<typeof PollPageSchema>;

export const ResultsSchema = z.object({
  status: z.enum(pollStatuses),
  ballots: z.number(),
  /** Per option id; null while an open poll keeps its results until it closes. */
  tally: z.record(z.string(), z.number()).nullable(),
  final: z.boolean(),
});
export type Results = z.infer<typeof ResultsSchema>;

const BallotSchema = z.object({ choices: z.array(z.string()), replaced: z.boolean().optional() });

export interface PollFilter {
  municipality?: string | undefined;
  neighbourhood?: string | undefined;
  status?: PollStatus | undefined;
  cursor?: string | undefined;
  limit?: number;
}

export function createPollsApi(token?: string) {
  const poll = (id: string) => `/api/polls/${segment(id)}`;
  return {
    listPolls(filter: PollFilter): Promise<PollPage> {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(filter)) if (value) query.set(name, String(value));
      return read(PollPageSchema, 'GET', `/api/polls?${query}`, token);
    },
    /** The poll, or undefined: unknown, or a draft the caller does not own. */
    getPoll: (id: string) => readOptional(PollSchema, poll(id), token),
    results: (id: string) => read(ResultsSchema, 'GET', `${poll(id)}/results`, token),
    /** The caller's own current choices, or undefined when they have not voted. */
    async ownChoices(id: string): Promise<string[] | undefined> {
      return (await readOptional(BallotSchema, `${poll(id)}/ballot`, token))?.choices;
    },
    castBallot: (id: string, choices: string[], idempotencyKey: string) =>
      send(BallotSchema, 'PUT', `${poll(id)}/ballot`, { token, body: { choices }, idempotencyKey }),
    createPoll: (body: Record<string, unknown>, idempotencyKey: string) =>
      send(PollSchema, 'POST', '/api/polls', { token, body, idempotencyKey }),
    changePoll: (id: string, action: 'open' | 'close', idempotencyKey: string) =>
      send(PollSchema, 'POST', `${poll(id)}/${action}`, { token, idempotencyKey }),
  };
}
export type PollsApi = ReturnType<typeof createPollsApi>;
