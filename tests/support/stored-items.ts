import * as z from 'zod';
import { IsoDateTimeSchema, UlidSchema } from '#shared/domain/common.ts';
import { DeliveredEventSchema, DeliverySchema } from '#shared/domain/delivery.ts';
import { FacilitationRequestSchema, OfferSchema } from '#shared/domain/facilitation.ts';
import { InitiativeSchema } from '#shared/domain/initiative.ts';
import { ModerationCaseSchema, ReportSchema } from '#shared/domain/moderation.ts';
import { AuditEntrySchema } from '#shared/domain/moderation-audit.ts';
import { MunicipalitySchema } from '#shared/domain/municipality.ts';
import { counters, MonthSchema } from '#shared/domain/participation.ts';
import { OptionIdSchema, PollSchema } from '#shared/domain/poll.ts';
import { SubscriptionSchema } from '#shared/domain/subscription.ts';
import { definitionOf } from '#shared/events/registry.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';

/**
 * Every kind of item the table holds, each parsed with the domain's own schemas and its key checked
 * against the one `keys.ts` builds: tests scan the table (`hub.snapshot()`) and prove that whatever
 * was sent, nothing malformed was stored. A kind of item not listed here is reported too, so that new
 * item types are forced into this list.
 */
type Item = Record<string, unknown>;
type Check = (item: Item) => string[];

const Key = z.object({ pk: z.string(), sk: z.string() });
const Ttl = z.number().int().positive();

/** Parses `value` and, if `expectedKey` is given, checks the item's key against it. */
function parsed<T extends z.ZodType>(
  schema: T,
  value: unknown,
  item: Item,
  expectedKey?: (data: z.infer<T>) => { pk: string; sk: string },
): string[] {
  const result = schema.safeParse(value);
  if (!result.success) return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (!expectedKey) return [];
  const key = expectedKey(result.data);
  return key.pk === item.pk && key.sk === item.sk ? [] : [`key is not ${key.pk}|${key.sk}`];
}

/** A stored event: its detail must match the catalog's schema for its detail-type. */
function eventIssues(event: unknown): string[] {
  const shape = DeliveredEventSchema.safeParse(event);
  if (!shape.success)
    return shape.error.issues.map((issue) => `event.${issue.path.join('.')}: ${issue.message}`);
  try {
    return parsed(definitionOf(shape.data.detailType).detail, shape.data.detail, {});
  } catch (error) {
    return [(error as Error).message];
  }
}

const ParticipationItemSchema = z.object({
  month: MonthSchema,
  ...Object.fromEntries(counters.map((counter) => [counter, z.number().int().nonnegative().optional()])),
});

const aggregates: Record<string, Check> = {
  Initiative: (item) =>
    parsed(InitiativeSchema, item.data, item, (initiative) => keys.initiative(initiative.id)),
  Slug: (item) => parsed(z.object({ pk: z.string().regex(/^SLUG#/), initiativeId: UlidSchema }), item, item),
  Municipality: (item) =>
    parsed(MunicipalitySchema, item.data, item, (municipality) => keys.municipality(municipality.id)),
  FacilitationRequest: (item) =>
    parsed(FacilitationRequestSchema, item.data, item, (request) => keys.facilitationRequest(request.id)),
  Offer: (item) => parsed(OfferSchema, item.data, item, (offer) => keys.offer(offer.id)),
  Poll: (item) => parsed(PollSchema, item.data, item, (poll) => keys.poll(poll.id)),
  PollTally: (item) =>
    parsed(
      z.object({
        pk: z.string().regex(/^POLL#[0-9A-HJKMNP-TV-Z]{26}#TALLY#\d+$/),
        ballots: z.int().nonnegative(),
        counts: z.record(OptionIdSchema, z.int().nonnegative()),
      }),
      item,
      item,
    ),
  Ballot: (item) =>
    parsed(
      z.object({
        pk: z.string().regex(/^POLL#[0-9A-HJKMNP-TV-Z]{26}#BALLOTS#\d+$/),
        sk: z.string().regex(/^BALLOT#[\w-]{43}$/),
        choices: z.array(OptionIdSchema).min(1),
        revision: z.int().nonnegative(),
      }),
      item,
      item,
    ),
  Subscription: (item) => [
    ...parsed(SubscriptionSchema, item.data, item, (subscription) => keys.subscription(subscription.id)),
    ...parsed(z.object({ sealedSecret: z.string().min(1).optional() }), item, item),
  ],
  Delivery: (item) => [
    ...parsed(DeliverySchema, item.data, item, (delivery) => keys.delivery(delivery.id)),
    ...eventIssues((item.data as Item | undefined)?.event),
  ],
  FeedEntry: (item) => [
    ...parsed(z.object({ pk: z.string().regex(/^FEED#/), ttl: Ttl }), item, item),
    ...eventIssues(item.event),
  ],
  Ownership: (item) =>
    parsed(z.object({ initiativeId: UlidSchema }), item, item, (ownership) =>
      keys.ownership(String(item.pk).slice('PERSON#'.length), ownership.initiativeId),
    ),
  ReportedBy: (item) =>
    parsed(z.object({ reportId: UlidSchema }), item, item, (index) =>
      keys.reportBy(String(item.pk).slice('PERSON#'.length), index.reportId),
    ),
  ModerationCase: (item) =>
    parsed(ModerationCaseSchema, item.data, item, (moderation) =>
      keys.moderationCase(moderation.kind, moderation.targetId),
    ),
  Report: (item) => parsed(ReportSchema, item.data, item, (report) => keys.report(report.id)),
  AuditEntry: (item) => parsed(AuditEntrySchema, item.data, item, (entry) => keys.auditEntry(entry.id)),
  ParticipationMonth: (item) =>
    parsed(ParticipationItemSchema, item, item, (month) =>
      keys.participation(String(item.pk).slice('PARTICIPATION#'.length), month.month),
    ),
};

/** Items without a `type`, known by their key's prefix. */
const byPrefix: Record<string, Check> = {
  OUTBOX: (item) => [
    ...parsed(z.object({ ttl: Ttl }), item, item),
    ...eventIssues({ source: item.source, detailType: item.detailType, detail: item.detail }),
  ],
  IDEMPOTENCY: (item) =>
    parsed(
      z.object({
        fingerprint: z.string().min(1),
        response: z.object({ statusCode: z.int().min(200).max(599), body: z.string() }),
        ttl: Ttl,
      }),
      item,
      item,
    ),
  PROCESSED: (item) => parsed(z.object({ ttl: Ttl }), item, item),
  // Hashed keys: what they count or mark cannot be read back, only their shape checked.
  RATE: (item) =>
    parsed(
      z.object({ sk: z.literal('RATE'), count: z.int().nonnegative(), endsAt: z.int(), ttl: Ttl }),
      item,
      item,
    ),
  ACCOUNT: (item) =>
    parsed(z.object({ sk: z.literal('FIRST-SEEN'), firstSeenAt: IsoDateTimeSchema, ttl: Ttl }), item, item),
  'DELETED-ACCOUNT': (item) => parsed(z.object({ deletedAt: IsoDateTimeSchema, ttl: Ttl }), item, item),
};

/** What is wrong with one stored item; empty when it is a valid item of a known kind. */
export function storedItemIssues(item: Item): string[] {
  const key = Key.safeParse(item);
  if (!key.success) return ['no pk/sk'];
  const check =
    typeof item.type === 'string' ? aggregates[item.type] : byPrefix[key.data.pk.split('#')[0] ?? ''];
  if (!check) {
    return [`unknown kind of item (type ${String(item.type)}): add it to tests/support/stored-items.ts`];
  }
  return check(item);
}

/** Every invalid item of a table scan, with what is wrong with it: `[]` when the table is sound. */
export function invalidItems(items: Item[]): { pk: unknown; sk: unknown; issues: string[] }[] {
  return items.flatMap((item) => {
    const issues = storedItemIssues(item);
    return issues.length > 0 ? [{ pk: item.pk, sk: item.sk, issues }] : [];
  });
}
