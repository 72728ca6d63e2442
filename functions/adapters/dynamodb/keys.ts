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
  facilitationRequest: (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' }),
  offer: (id: string) => ({ pk: `OFFER#${id}`, sk: 'OFFER' }),
  /** An initiative's requests and offers, listed together under it, newest first. */
  initiativeFacilitationListing: (
    item: { initiativeId: string; createdAt: string; id: string },
    kind: 'REQUEST' | 'OFFER',
  ) => ({
    gsi1pk: `INITIATIVE#${item.initiativeId}#FACILITATION`,
    gsi1sk: `${kind}#${item.createdAt}#${item.id}`,
  }),
  initiativeFacilitation: (initiativeId: string, kind: 'REQUEST' | 'OFFER') => ({
    index: 'gsi1' as const,
    pk: `INITIATIVE#${initiativeId}#FACILITATION`,
    sk: { beginsWith: `${kind}#` },
  }),
  /** A municipality's inbox: open requests and pending offers, oldest first, only while they wait. */
  inboxListing: (
    item: { municipalityId: string; createdAt: string; id: string },
    kind: 'REQUEST' | 'OFFER',
  ) => ({
    gsi2pk: `MUNICIPALITY#${item.municipalityId}#INBOX`,
    gsi2sk: `${item.createdAt}#${kind}#${item.id}`,
  }),
  inbox: (municipalityId: string) => ({ index: 'gsi2' as const, pk: `MUNICIPALITY#${municipalityId}#INBOX` }),
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
  poll: (id: string) => ({ pk: `POLL#${id}`, sk: 'POLL' }),
  /**
   * Open and closed polls are listed under their municipality and among all polls; a municipality's own
   * drafts only under it (for its staff), an initiative's drafts nowhere. The sort key ranks open (2)
   * over closed (1) over drafts (0), so a descending query lists open polls first and `>= 1` skips drafts.
   */
  pollListings: (poll: {
    id: string;
    municipalityId: string;
    status: 'draft' | 'open' | 'closed';
    opensAt: string;
    owner: { kind: string };
  }) => {
    const order = `${pollStatusRank[poll.status]}#${poll.opensAt}#${poll.id}`;
    if (poll.status === 'draft' && poll.owner.kind !== 'municipality') return {};
    return {
      gsi2pk: `MUNICIPALITY#${poll.municipalityId}#POLLS`,
      gsi2sk: order,
      ...(poll.status === 'draft' ? {} : { gsi3pk: 'POLLS', gsi3sk: order }),
    };
  },
  municipalityPolls: (municipalityId: string) => ({
    index: 'gsi2' as const,
    pk: `MUNICIPALITY#${municipalityId}#POLLS`,
  }),
  allPolls: () => ({ index: 'gsi3' as const, pk: 'POLLS' }),
  /** Sparse: a poll waiting to open or to close, keyed by when; the local scheduler reads what is due. */
  pollDue: (pollId: string, dueAt: string) => ({ gsi1pk: 'POLLS#DUE', gsi1sk: `${dueAt}#${pollId}` }),
  duePolls: () => ({ index: 'gsi1' as const, pk: 'POLLS#DUE' }),
  /** One of a poll's tally shards: each its own partition, so ballots spread their writes. */
  pollTallyShard: (pollId: string, shard: number) => ({ pk: `POLL#${pollId}#TALLY#${shard}`, sk: 'TALLY' }),
  /** A ballot, under its HMAC id only; its partition follows from the id, so a change finds it. */
  ballot: (pollId: string, partition: number, ballotId: string) => ({
    pk: `POLL#${pollId}#BALLOTS#${partition}`,
    sk: `BALLOT#${ballotId}`,
  }),
  ballotPartition: (pollId: string, partition: number) => ({ pk: `POLL#${pollId}#BALLOTS#${partition}` }),
  // Channels: a municipality's subscriptions, their deliveries, and the public feeds.
  subscription: (id: string) => ({ pk: `SUBSCRIPTION#${id}`, sk: 'SUBSCRIPTION' }),
  /** Every subscription of a municipality, newest first, for its staff. */
  subscriptionListing: (subscription: { id: string; municipalityId: string; createdAt: string }) => ({
    gsi2pk: `MUNICIPALITY#${subscription.municipalityId}#SUBSCRIPTIONS`,
    gsi2sk: `${subscription.createdAt}#${subscription.id}`,
  }),
  municipalitySubscriptions: (municipalityId: string) => ({
    index: 'gsi2' as const,
    pk: `MUNICIPALITY#${municipalityId}#SUBSCRIPTIONS`,
  }),
  /** Sparse: only subscriptions that receive deliveries (active or failing); the fan-out reads these. */
  receivingSubscription: (subscription: { id: string; municipalityId: string }) => ({
    gsi3pk: `MUNICIPALITY#${subscription.municipalityId}#RECEIVING-SUBSCRIPTIONS`,
    gsi3sk: subscription.id,
  }),
  receivingSubscriptions: (municipalityId: string) => ({
    index: 'gsi3' as const,
    pk: `MUNICIPALITY#${municipalityId}#RECEIVING-SUBSCRIPTIONS`,
  }),
  /** One event to one subscription; the id is made of both, so a redelivered event makes it once. */
  delivery: (id: string) => ({ pk: `DELIVERY#${id}`, sk: 'DELIVERY' }),
  /** A municipality's deliveries newest first, all of them (gsi2) and by status (gsi3). */
  deliveryListings: (delivery: {
    id: string;
    municipalityId: string;
    createdAt: string;
    status: string;
  }) => ({
    gsi2pk: `MUNICIPALITY#${delivery.municipalityId}#DELIVERIES`,
    gsi2sk: `${delivery.createdAt}#${delivery.id}`,
    gsi3pk: `MUNICIPALITY#${delivery.municipalityId}#DELIVERIES#${delivery.status}`,
    gsi3sk: `${delivery.createdAt}#${delivery.id}`,
  }),
  municipalityDeliveries: (municipalityId: string, status?: string) =>
    status
      ? { index: 'gsi3' as const, pk: `MUNICIPALITY#${municipalityId}#DELIVERIES#${status}` }
      : { index: 'gsi2' as const, pk: `MUNICIPALITY#${municipalityId}#DELIVERIES` },
  /** Sparse: a delivery waiting for a try, per channel kind, keyed by when; the dispatcher reads what is due. */
  deliveryDue: (delivery: { id: string; kind: string }, dueAt: string) => ({
    gsi1pk: `DELIVERIES#DUE#${delivery.kind}`,
    gsi1sk: `${dueAt}#${delivery.id}`,
  }),
  dueDeliveries: (kind: string) => ({ index: 'gsi1' as const, pk: `DELIVERIES#DUE#${kind}` }),
  /** The latest public events of a municipality, or of one of its neighbourhoods, for the Atom feeds. */
  feedEntry: (
    place: { municipalityId: string; neighbourhoodId?: string | undefined },
    event: { occurredAt: string; eventId: string },
  ) => ({
    pk: place.neighbourhoodId
      ? `FEED#${place.municipalityId}#${place.neighbourhoodId}`
      : `FEED#${place.municipalityId}`,
    sk: `ENTRY#${event.occurredAt}#${event.eventId}`,
  }),
  /**
   * A rate counter (`ip:<address>`, `user:<id>`, …): hashed, so that the table holds no address in
   * clear; TTL removes it a day after its window.
   */
  rateCounter: (id: string) => ({
    pk: `RATE#${createHash('sha256').update(id).digest('base64url')}`,
    sk: 'RATE',
  }),
  /** When an account made its first write: the start of its cool-down. */
  accountFirstSeen: (userId: string) => ({
    pk: `ACCOUNT#${createHash('sha256').update(userId).digest('base64url')}`,
    sk: 'FIRST-SEEN',
  }),
  // A person: what they own (initiatives), their idempotency records, and the mark of a deleted account.
  /** One item per initiative a person owns, so their export and deletion find them without a scan. */
  ownership: (userId: string, initiativeId: string) => ({
    pk: `PERSON#${userId}`,
    sk: `OWNS#INITIATIVE#${initiativeId}`,
  }),
  ownerships: (userId: string) => ({ pk: `PERSON#${userId}`, skPrefix: 'OWNS#INITIATIVE#' }),
  /** A report a person made, so that their export and deletion find it without a scan. */
  reportBy: (userId: string, reportId: string) => ({ pk: `PERSON#${userId}`, sk: `REPORTED#${reportId}` }),
  reportsBy: (userId: string) => ({ pk: `PERSON#${userId}`, skPrefix: 'REPORTED#' }),
  /** Sparse gsi1 keys of an idempotency record: a person's records, under a hash of their id. */
  idempotencyListing: (scope: string, recordPk: string) => ({
    gsi1pk: `IDEMPOTENCY-OF#${createHash('sha256').update(scope).digest('base64url')}`,
    gsi1sk: recordPk,
  }),
  idempotencyOf: (scope: string) => ({
    index: 'gsi1' as const,
    pk: `IDEMPOTENCY-OF#${createHash('sha256').update(scope).digest('base64url')}`,
  }),
  /** Marks a deleted account until its last token has expired; hashed, it names nobody. */
  deletedAccount: (userId: string) => ({
    pk: `DELETED-ACCOUNT#${createHash('sha256').update(userId).digest('base64url')}`,
    sk: 'DELETED-ACCOUNT',
  }),
  // Moderation: an item's moderation state beside it, reports, and the append-only audit log.
  /** The moderation state of one initiative, request or poll (absent: visible, never moderated). */
  /**
   * An item's moderation state, in the item's own partition (an initiative's is also mirrored on the
   * initiative's item, in the same transaction, so reading an initiative with it is one GetItem).
   */
  moderationCase: (kind: 'initiative' | 'poll' | 'request', targetId: string) => ({
    pk: `${({ initiative: 'INITIATIVE', poll: 'POLL', request: 'REQUEST' } as const)[kind]}#${targetId}`,
    sk: 'MODERATION',
  }),
  report: (id: string) => ({ pk: `REPORT#${id}`, sk: 'REPORT' }),
  /** A municipality's reports, newest first, for its staff. */
  reportListing: (report: { id: string; municipalityId: string; createdAt: string }) => ({
    gsi2pk: `MUNICIPALITY#${report.municipalityId}#REPORTS`,
    gsi2sk: `${report.createdAt}#${report.id}`,
  }),
  municipalityReports: (municipalityId: string) => ({
    index: 'gsi2' as const,
    pk: `MUNICIPALITY#${municipalityId}#REPORTS`,
  }),
  /** An audit entry under a fresh id: written once (conditional put), never updated or deleted. */
  auditEntry: (id: string) => ({ pk: `AUDIT#${id}`, sk: 'AUDIT' }),
  auditListing: (entry: { id: string; municipalityId: string; at: string }) => ({
    gsi2pk: `MUNICIPALITY#${entry.municipalityId}#AUDIT`,
    gsi2sk: `${entry.at}#${entry.id}`,
  }),
  municipalityAudit: (municipalityId: string) => ({
    index: 'gsi2' as const,
    pk: `MUNICIPALITY#${municipalityId}#AUDIT`,
  }),
} as const;

/** Listing order of poll statuses (see `keys.pollListings`). */
export const pollStatusRank = { draft: '0', closed: '1', open: '2' } as const;

export const OUTBOX_PREFIX = 'OUTBOX#';

/** Seconds since the epoch, `days` from `now`: DynamoDB's TTL format. */
export function expiresAfter(days: number, now = new Date()): number {
  return Math.floor(now.getTime() / 1000) + days * 86_400;
}
