/*
 * How an event reads to a person: the title, summary and link of a feed entry or an email. Events are read
 * defensively here (any detail-type, any version): a field that is missing gives a plainer text, never an error.
 */

/** Events anyone may read in a municipality's public Atom feed. Offers still under discussion and channel
 * health stay between the parties; polls appear once they are open. */
export const publicFeedEventNames: readonly string[] = [
  'InitiativeRegistered',
  'InitiativeUpdated',
  'InitiativeArchived',
  'ActivityScheduled',
  'FacilitationRequested',
  'FacilitationRequestClosed',
  'OfferAccepted',
  'FacilitationDelivered',
  'PollOpened',
  'PollClosed',
];

export interface EventText {
  title: string;
  summary: string;
  /** A path on the hub (site page or API resource) about what happened. */
  path: string;
}

type Loose = Record<string, unknown>;
const record = (value: unknown): Loose =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Loose) : {};
const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);

const initiativePath = (idOrSlug: string, locale = 'en') =>
  idOrSlug ? `/${locale}/initiatives/${encodeURIComponent(idOrSlug)}` : '/';

/** What an event is about, by kind, so that a public feed can leave out what moderation hid. */
export function subjectsOf(detail: unknown): { initiative?: string; poll?: string; request?: string } {
  const data = record(record(detail).data);
  const initiative = record(data.initiative);
  const request = record(data.request);
  const offer = record(data.offer);
  const poll = record(data.poll);
  const first = (...values: unknown[]) => values.find((value): value is string => typeof value === 'string');
  const initiativeId = first(
    initiative.id,
    data.initiativeId,
    request.initiativeId,
    offer.initiativeId,
    record(poll.owner).initiativeId,
  );
  const pollId = first(poll.id, data.pollId);
  const requestId = first(request.id, data.requestId, offer.requestId);
  return {
    ...(initiativeId ? { initiative: initiativeId } : {}),
    ...(pollId ? { poll: pollId } : {}),
    ...(requestId ? { request: requestId } : {}),
  };
}

export function describeEvent(detailType: string, detail: unknown): EventText {
  const data = record(record(detail).data);
  const initiative = record(data.initiative);
  const offer = record(data.offer);
  const request = record(data.request);
  const poll = record(data.poll);
  const name = str(initiative.name, str(data.name));
  switch (detailType) {
    case 'InitiativeRegistered':
      return {
        title: `New initiative: ${name}`,
        summary: str(initiative.summary),
        path: initiativePath(str(initiative.slug), str(initiative.language, 'en')),
      };
    case 'InitiativeUpdated': {
      const changed = Array.isArray(data.changed) ? data.changed.map(String).join(', ') : '';
      return {
        title: `Initiative updated: ${name}`,
        summary: changed ? `Changed: ${changed}.` : str(initiative.summary),
        path: initiativePath(str(initiative.slug), str(initiative.language, 'en')),
      };
    }
    case 'InitiativeArchived':
      return {
        title: `Initiative archived: ${name}`,
        summary: `${name} was archived by its organisers.`,
        path: initiativePath(str(data.slug)),
      };
    case 'FacilitationRequested':
      return {
        title: `Help asked: ${str(request.kind, 'other')}`,
        summary: str(request.text),
        path: initiativePath(str(request.initiativeId)),
      };
    case 'FacilitationRequestClosed':
      return {
        title: 'Request for help closed',
        summary: 'The initiative needs no more answers to this request.',
        path: initiativePath(str(data.initiativeId)),
      };
    case 'FacilitationOffered':
    case 'OfferAccepted':
    case 'OfferDeclined':
    case 'OfferWithdrawn':
    case 'FacilitationDelivered': {
      const what = {
        FacilitationOffered: 'Help offered',
        OfferAccepted: 'Offer accepted',
        OfferDeclined: 'Offer declined',
        OfferWithdrawn: 'Offer withdrawn',
        FacilitationDelivered: 'Help delivered',
      }[detailType];
      return {
        title: `${what}: ${str(offer.kind, 'other')}`,
        summary: str(offer.text),
        path: initiativePath(str(offer.initiativeId)),
      };
    }
    case 'PollOpened':
    case 'PollClosed':
      return {
        title: `${detailType === 'PollOpened' ? 'Poll opened' : 'Poll closed'}: ${str(poll.question)}`,
        summary: str(poll.question),
        path: `/api/polls/${encodeURIComponent(str(poll.id))}`,
      };
    case 'SubscriptionFailing':
      return {
        title: `Channel failing: ${str(data.description) || str(data.kind)}`,
        summary: `Every delivery since ${str(data.failingSince)} failed. Last error: ${str(data.lastError)}`,
        path: `/api/subscriptions/${encodeURIComponent(str(data.subscriptionId))}`,
      };
    default:
      return { title: detailType, summary: '', path: '/' };
  }
}
