import { createHash } from 'node:crypto';

/**
 * Every key in the table is built here and nowhere else. The access patterns they serve are listed
 * in the README ("Data: one table").
 */
export const keys = {
  initiative: (id: string) => ({ pk: `INITIATIVE#${id}`, sk: 'INITIATIVE' }),
  /** Published initiatives only: archived ones drop out of every list by losing these keys. */
  initiativeListings: (initiative: {
    id: string;
    createdAt: string;
    municipalityId: string;
    neighbourhoodId: string;
  }) => {
    const order = `${initiative.createdAt}#${initiative.id}`;
    return {
      gsi1pk: 'INITIATIVES',
      gsi1sk: order,
      gsi2pk: `MUNICIPALITY#${initiative.municipalityId}#INITIATIVES`,
      gsi2sk: order,
      gsi3pk: `NEIGHBOURHOOD#${initiative.municipalityId}#${initiative.neighbourhoodId}#INITIATIVES`,
      gsi3sk: order,
    };
  },
  allInitiatives: () => ({ index: 'gsi1' as const, pk: 'INITIATIVES' }),
  municipalityInitiatives: (municipalityId: string) => ({
    index: 'gsi2' as const,
    pk: `MUNICIPALITY#${municipalityId}#INITIATIVES`,
  }),
  neighbourhoodInitiatives: (municipalityId: string, neighbourhoodId: string) => ({
    index: 'gsi3' as const,
    pk: `NEIGHBOURHOOD#${municipalityId}#${neighbourhoodId}#INITIATIVES`,
  }),
  slug: (slug: string) => ({ pk: `SLUG#${slug}`, sk: 'SLUG' }),
  municipality: (id: string) => ({ pk: `MUNICIPALITY#${id}`, sk: 'MUNICIPALITY' }),
  municipalityListing: (id: string) => ({ gsi1pk: 'MUNICIPALITIES', gsi1sk: id }),
  allMunicipalities: () => ({ index: 'gsi1' as const, pk: 'MUNICIPALITIES' }),
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  /** Hashed, so that the table never shows which person sent which key. */
  idempotency: (scope: string, key: string) => ({
    pk: `IDEMPOTENCY#${createHash('sha256').update(`${scope}\n${key}`).digest('base64url')}`,
    sk: 'IDEMPOTENCY',
  }),
  participation: (municipalityId: string, month: string) => ({
    pk: `PARTICIPATION#${municipalityId}`,
    sk: `MONTH#${month}`,
  }),
  /** Marks an event as handled by one consumer, so a redelivery has no second effect. */
  processed: (consumer: string, eventId: string) => ({
    pk: `PROCESSED#${consumer}#${eventId}`,
    sk: 'PROCESSED',
  }),
} as const;

export const OUTBOX_PREFIX = 'OUTBOX#';

/** Seconds since the epoch, `days` from `now`: DynamoDB's TTL format. */
export function expiresAfter(days: number, now = new Date()): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}
