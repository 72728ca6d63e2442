import * as z from 'zod';
import { defineEvent, sources } from '../events/catalog.ts';
import { IsoDateTimeSchema, LocaleSchema, SlugSchema, text, UlidSchema } from './common.ts';

export const MIN_OPTIONS = 2;
export const MAX_OPTIONS = 20;

export const PollStatusSchema = z.enum(['draft', 'open', 'closed']);
export type PollStatus = z.infer<typeof PollStatusSchema>;

/** Option ids are positional (`o1` … `o20`): short, stable, and never reused within a poll. */
export const OptionIdSchema = z.string().regex(/^o([1-9]|1[0-9]|20)$/, 'must be an option id like o1');

export const PollOptionSchema = z.object({ id: OptionIdSchema, label: z.string() });
export type PollOption = z.infer<typeof PollOptionSchema>;

/** A municipality's own poll, or one an initiative asks its neighbours. */
export const PollOwnerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('municipality'), municipalityId: SlugSchema }).strict(),
  z.object({ kind: z.literal('initiative'), initiativeId: UlidSchema }).strict(),
]);
export type PollOwner = z.infer<typeof PollOwnerSchema>;

/** Who may vote: every resident of the poll's municipality, or those of some of its neighbourhoods. */
export const AudienceSchema = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('municipality') }).strict(),
  z
    .object({
      scope: z.literal('neighbourhoods'),
      neighbourhoodIds: z
        .array(SlugSchema)
        .min(1)
        .max(50)
        .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a neighbourhood'),
    })
    .strict(),
]);
export type Audience = z.infer<typeof AudienceSchema>;

export const ResultsVisibilitySchema = z.enum(['live', 'after-close']);

export const CreatePollSchema = z
  .object({
    owner: PollOwnerSchema,
    language: LocaleSchema,
    question: text(5, 300),
    description: text(0, 2000).default(''),
    options: z
      .array(text(1, 200))
      .min(MIN_OPTIONS)
      .max(MAX_OPTIONS)
      .refine(
        (labels) => new Set(labels.map((label) => label.toLocaleLowerCase())).size === labels.length,
        'must not repeat an option',
      ),
    choice: z.enum(['single', 'multiple']).default('single'),
    /** Multiple choice only: how many options a ballot may mark; all of them when left out. */
    maxChoices: z.int().min(2).max(MAX_OPTIONS).optional(),
    audience: AudienceSchema,
    opensAt: IsoDateTimeSchema,
    closesAt: IsoDateTimeSchema,
    resultsVisibility: ResultsVisibilitySchema.default('live'),
  })
  .strict()
  .refine((poll) => poll.choice === 'multiple' || poll.maxChoices === undefined, {
    path: ['maxChoices'],
    message: 'is for multiple choice only',
  })
  .refine((poll) => poll.maxChoices === undefined || poll.maxChoices <= poll.options.length, {
    path: ['maxChoices'],
    message: 'must not exceed the number of options',
  })
  .refine((poll) => Date.parse(poll.closesAt) > Date.parse(poll.opensAt), {
    path: ['closesAt'],
    message: 'must be after opensAt',
  })
  .meta({ id: 'CreatePoll' });
export type CreatePoll = z.infer<typeof CreatePollSchema>;

export const TallySchema = z
  .object({
    /** Ballots counted: one per voter, however often they changed it. */
    ballots: z.int().nonnegative(),
    /** Per option id, how many ballots mark it. */
    counts: z.record(z.string(), z.int().nonnegative()),
  })
  .meta({ id: 'Tally' });
export type Tally = z.infer<typeof TallySchema>;

export const PollSchema = z
  .object({
    id: UlidSchema,
    municipalityId: SlugSchema,
    owner: PollOwnerSchema,
    language: LocaleSchema,
    question: z.string(),
    description: z.string(),
    options: z.array(PollOptionSchema).min(MIN_OPTIONS).max(MAX_OPTIONS),
    choice: z.enum(['single', 'multiple']),
    /** 1 for single choice. */
    maxChoices: z.int().min(1).max(MAX_OPTIONS),
    audience: AudienceSchema,
    /** UTC, as `toISOString()` writes it, so that times compare as strings in keys and conditions. */
    opensAt: IsoDateTimeSchema,
    closesAt: IsoDateTimeSchema,
    resultsVisibility: ResultsVisibilitySchema,
    status: PollStatusSchema,
    openedAt: IsoDateTimeSchema.optional(),
    closedAt: IsoDateTimeSchema.optional(),
    /** Set once, when the poll closes: the sealed count. */
    finalTally: TallySchema.optional(),
    createdAt: IsoDateTimeSchema,
    updatedAt: IsoDateTimeSchema,
    revision: z.int().nonnegative(),
  })
  .meta({ id: 'Poll' });
export type Poll = z.infer<typeof PollSchema>;

/** What anyone may see of a poll that is open or closed (drafts are seen by their owners only). */
export const PublicPollSchema = PollSchema.omit({ revision: true }).meta({ id: 'PublicPoll' });
export type PublicPoll = z.infer<typeof PublicPollSchema>;

export function toPublicPoll(poll: Poll): PublicPoll {
  const { revision: _revision, ...visible } = poll;
  return visible;
}

export const CastBallotSchema = z
  .object({ choices: z.array(z.string().max(10)).min(1).max(MAX_OPTIONS) })
  .strict()
  .meta({ id: 'CastBallot' });

export const BallotSchema = z
  .object({ pollId: UlidSchema, choices: z.array(OptionIdSchema), replaced: z.boolean().optional() })
  .meta({ id: 'Ballot' });

export const PollResultsSchema = z
  .object({
    pollId: UlidSchema,
    status: PollStatusSchema,
    resultsVisibility: ResultsVisibilitySchema,
    ballots: z.int().nonnegative(),
    /** Per option id; null while the poll is open and shows its results only after closing. */
    tally: z.record(z.string(), z.int().nonnegative()).nullable(),
    /** True once the poll has closed: the numbers no longer change. */
    final: z.boolean(),
    /** Why the tally is hidden, when it is. */
    note: z.string().optional(),
  })
  .meta({ id: 'PollResults' });
export type PollResults = z.infer<typeof PollResultsSchema>;

// Events carry the public view: they fan out to municipal channels. Ballots never do.
const EventPollSchema = PublicPollSchema.omit({ finalTally: true });

export const PollOpened = defineEvent({
  name: 'PollOpened',
  source: sources.polls,
  version: 1,
  description: 'A poll opened for ballots, on time by its schedule or early by its owner.',
  data: z.object({ poll: EventPollSchema }),
});

export const PollClosed = defineEvent({
  name: 'PollClosed',
  source: sources.polls,
  version: 1,
  description: 'A poll closed; its final tally is exact and no ballot changes it any more.',
  data: z.object({
    poll: EventPollSchema,
    ballots: z.int().nonnegative(),
    tally: z.record(z.string(), z.int().nonnegative()),
  }),
});
