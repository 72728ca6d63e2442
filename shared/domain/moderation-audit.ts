import * as z from 'zod';
import type { DomainEvent } from '../events/catalog.ts';
import type { Actor } from './actor.ts';
import { IsoDateTimeSchema, SlugSchema, UlidSchema } from './common.ts';

/**
 * One line of a municipality's audit log: who (staff act officially, so by user id), what, on what,
 * when and why. Entries are only ever added.
 */
export const AuditEntrySchema = z
  .object({
    id: UlidSchema,
    municipalityId: SlugSchema,
    at: IsoDateTimeSchema,
    actor: z.object({ userId: z.string(), role: z.enum(['staff', 'admin']) }),
    /** The event the action committed (`ContentHidden`), or the change it made (`SubscriptionDeleted`). */
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    reason: z.string().optional(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Events that only staff or the admin cause: each one, committed by them, is an audited action. */
export const auditedEventNames: readonly string[] = [
  'FacilitationOffered',
  'OfferWithdrawn',
  'FacilitationDelivered',
  'PollOpened',
  'PollClosed',
  'ContentHidden',
  'ContentRestored',
  'AppealDecided',
];

/** Items that staff change without an event (channels) or before one (a draft poll). */
export const auditedItemTypes: readonly string[] = ['Subscription', 'Delivery', 'Poll'];

/** One item a transaction writes, as the audit sees it. */
export interface AuditedWrite {
  type: string;
  id: string;
  municipalityId?: string | undefined;
  change: 'Created' | 'Changed' | 'Deleted';
}

type Loose = Record<string, unknown>;
const record = (value: unknown): Loose =>
  value !== null && typeof value === 'object' ? (value as Loose) : {};

/** What an event is about: the moderated item, the offer, the poll. */
function targetOfEvent(event: DomainEvent): AuditEntry['target'] | undefined {
  const data = record(event.detail.data);
  const target = record(data.target);
  if (typeof target.kind === 'string' && typeof target.id === 'string')
    return { type: target.kind, id: target.id };
  for (const type of ['offer', 'poll'] as const) {
    const id = record(data[type]).id;
    if (typeof id === 'string') return { type, id };
  }
  return undefined;
}

/**
 * The audit entry of one committed action, or none: only a write by staff of the municipality concerned
 * (or the platform admin) that is a staff action is audited. A staff member acting as a resident (an
 * initiative of their own, a ballot) is not, and nothing is recorded for anyone else.
 */
export function auditEntryFor(
  actor: Actor | undefined,
  commit: { events: readonly DomainEvent[]; writes: readonly AuditedWrite[] },
  context: { now: Date; newId: () => string },
): AuditEntry | undefined {
  if (!actor || (actor.staffOf.length === 0 && !actor.isPlatformAdmin)) return undefined;
  const event = commit.events.find((candidate) => auditedEventNames.includes(candidate.detailType));
  const write = commit.writes.find((candidate) => auditedItemTypes.includes(candidate.type));
  const what = event
    ? {
        action: event.detailType,
        municipalityId: event.detail.municipalityId,
        target: targetOfEvent(event) ?? (write ? { type: write.type, id: write.id } : undefined),
        reason: record(event.detail.data).reason,
      }
    : write
      ? {
          action: `${write.type}${write.change}`,
          municipalityId: write.municipalityId,
          target: { type: write.type, id: write.id },
          reason: undefined,
        }
      : undefined;
  if (!what?.municipalityId || !what.target) return undefined;
  const role = actor.staffOf.includes(what.municipalityId)
    ? ('staff' as const)
    : actor.isPlatformAdmin
      ? ('admin' as const)
      : undefined;
  if (!role) return undefined;
  return {
    id: context.newId(),
    municipalityId: what.municipalityId,
    at: context.now.toISOString(),
    actor: { userId: actor.userId, role },
    action: what.action,
    target: what.target,
    ...(typeof what.reason === 'string' ? { reason: what.reason } : {}),
  };
}
