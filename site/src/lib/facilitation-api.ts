import * as z from 'zod';
import { helpKinds, read, readOptional, segment, send } from './api.ts';

/**
 * Facilitation in the API's words: an initiative's requests for help, the municipality's offers,
 * a municipality's inbox and its participation figures. Same client as `api.ts`: zod at the edge,
 * schemas that hold only what the site relies on.
 */

export const requestStatuses = ['open', 'answered', 'closed'] as const;
export const offerStatuses = ['offered', 'accepted', 'declined', 'withdrawn', 'delivered'] as const;
export type OfferStatus = (typeof offerStatuses)[number];
/** The steps an offer can take, and who takes them: owners accept or decline, staff withdraw or deliver. */
export const offerCommands = ['accept', 'decline', 'withdraw', 'deliver'] as const;
export type OfferCommand = (typeof offerCommands)[number];

const RequestSchema = z.object({
  id: z.string(),
  initiativeId: z.string(),
  municipalityId: z.string(),
  kind: z.enum(helpKinds),
  text: z.string(),
  wantedBy: z.string().optional(),
  status: z.enum(requestStatuses),
  createdAt: z.string(),
  firstOfferAt: z.string().optional(),
});
export type HelpRequest = z.infer<typeof RequestSchema>;

const OfferSchema = z.object({
  id: z.string(),
  initiativeId: z.string(),
  municipalityId: z.string(),
  requestId: z.string().optional(),
  kind: z.enum(helpKinds),
  text: z.string(),
  conditions: z.string().optional(),
  amountEuros: z.number().optional(),
  status: z.enum(offerStatuses),
  createdAt: z.string(),
  decidedAt: z.string().optional(),
  deliveredAt: z.string().optional(),
});
export type Offer = z.infer<typeof OfferSchema>;

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() });

const InboxItemSchema = z.union([
  z.object({ type: z.literal('request'), request: RequestSchema }),
  z.object({ type: z.literal('offer'), offer: OfferSchema }),
]);
export type InboxItem = z.infer<typeof InboxItemSchema>;
export type InboxPage = { items: InboxItem[]; nextCursor?: string | undefined };

export const participationCounters = [
  'initiativesRegistered',
  'initiativesArchived',
  'requestsReceived',
  'requestsAnswered',
  'offersMade',
  'offersAccepted',
  'offersDeclined',
  'offersWithdrawn',
  'offersDelivered',
] as const;
export type ParticipationCounter = (typeof participationCounters)[number];

const counts = Object.fromEntries(participationCounters.map((counter) => [counter, z.number()])) as Record<
  ParticipationCounter,
  z.ZodNumber
>;
const MonthSchema = z.object({
  month: z.string(),
  ...counts,
  medianFirstAnswerSeconds: z.number().nullable(),
});
const ParticipationSchema = z.object({
  from: z.string(),
  to: z.string(),
  months: z.array(MonthSchema),
  totals: z.object({ medianFirstAnswerSeconds: z.number().nullable() }),
});
export type Participation = z.infer<typeof ParticipationSchema>;
export type ParticipationMonth = Participation['months'][number];

export function createFacilitationApi(token?: string) {
  const initiative = (id: string) => `/api/initiatives/${segment(id)}`;
  return {
    /** Every request of an initiative (the API's largest page), newest first. */
    listRequests: (initiativeId: string) =>
      read(page(RequestSchema), 'GET', `${initiative(initiativeId)}/requests?limit=100`, token),
    /** The offers this caller may see: accepted and delivered ones for everyone, all for the two parties. */
    listOffers: (initiativeId: string) =>
      read(page(OfferSchema), 'GET', `${initiative(initiativeId)}/offers?limit=100`, token),
    askForHelp: (initiativeId: string, body: Record<string, unknown>, idempotencyKey: string) =>
      send(RequestSchema, 'POST', `${initiative(initiativeId)}/requests`, { token, body, idempotencyKey }),
    closeRequest: (requestId: string, idempotencyKey: string) =>
      send(RequestSchema, 'POST', `/api/requests/${segment(requestId)}/close`, { token, idempotencyKey }),
    offerHelp: (initiativeId: string, body: Record<string, unknown>, idempotencyKey: string) =>
      send(OfferSchema, 'POST', `${initiative(initiativeId)}/offers`, { token, body, idempotencyKey }),
    changeOffer: (offerId: string, command: OfferCommand, idempotencyKey: string) =>
      send(OfferSchema, 'POST', `/api/offers/${segment(offerId)}/${command}`, { token, idempotencyKey }),
    /** A municipality's open requests and pending offers, oldest first (its staff only). */
    inbox(municipalityId: string, cursor?: string): Promise<InboxPage> {
      const query = new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) });
      return read(
        page(InboxItemSchema),
        'GET',
        `/api/municipalities/${segment(municipalityId)}/inbox?${query}`,
        token,
      );
    },
    /** The last twelve months of figures, up to and including this one; undefined for an unknown municipality. */
    participation: (municipalityId: string) =>
      readOptional(ParticipationSchema, `/api/municipalities/${segment(municipalityId)}/participation`),
  };
}
export type FacilitationApi = ReturnType<typeof createFacilitationApi>;
