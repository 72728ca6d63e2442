import * as z from 'zod';
import type { Actor } from './actor.ts';
import type { Residence } from './poll-ports.ts';

/**
 * Where a person's data lives and what the hub says about it, whatever stores it. Each store of
 * personal data is one source: what it holds, how to collect it for an export and how to erase it.
 * A feature that keeps something about a person (a moderation report naming its reporter, say) adds its
 * source to the list in `functions/adapters/dynamodb/personal-data.ts`.
 */
export interface PersonalDataSourceInfo {
  /** The key of the source's section in an export. */
  name: string;
  /** What it holds and what deletion does to it, in words, for the person reading their export. */
  description: string;
}

/** What the hub says about data it holds on nobody's behalf in particular, or cannot link to anyone. */
export const exportStatements = {
  ballots:
    'Your ballots are not in this export because nothing links them to you: a ballot is stored under an ' +
    'HMAC of the poll and your id under a secret key, with your choices only. While your account exists ' +
    'GET /api/polls/{id}/ballot shows you your own current choice. Deleting your account keeps your ballots ' +
    'counted, and afterwards nobody can tell which were yours.',
  staffActs:
    "Offers and other acts of a municipality's staff belong to the municipality, not to the person who " +
    'made them: they carry no staff member id, are not part of this export and stay when an account is deleted.',
  logs:
    'Logs and deliveries to municipal channels carry no names, emails or account ids. Retention: function ' +
    'logs 14 days (dev) / 90 days (prod); deliveries 30 days once delivered, 90 days otherwise; ' +
    'Idempotency-Key answers 24 hours; events waiting to be published 7 days.',
} as const;

export const PersonalDataExportSchema = z
  .object({
    exportedAt: z.string(),
    account: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string().optional(),
      staffOf: z.array(z.string()),
      isPlatformAdmin: z.boolean(),
      residence: z.object({ municipalityId: z.string(), neighbourhoodId: z.string().optional() }).nullable(),
    }),
    sources: z.record(z.string(), z.object({ description: z.string(), items: z.array(z.unknown()) })),
    statements: z.object({ ballots: z.string(), staffActs: z.string(), logs: z.string() }),
  })
  .meta({ id: 'PersonalDataExport' });
export type PersonalDataExport = z.infer<typeof PersonalDataExportSchema>;

/** The account as the token's claims and the residency verifier describe it. */
export function accountView(actor: Actor, residence: Residence | undefined): PersonalDataExport['account'] {
  return {
    id: actor.userId,
    name: actor.name,
    ...(actor.email ? { email: actor.email } : {}),
    staffOf: actor.staffOf,
    isPlatformAdmin: actor.isPlatformAdmin,
    residence: residence ?? null,
  };
}
