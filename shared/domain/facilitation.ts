import * as z from 'zod';
import { defineEvent, sources } from '../events/catalog.ts';
import { IsoDateTimeSchema, SlugSchema, text, UlidSchema } from './common.ts';
import { FacilitationKindSchema } from './initiative.ts';

export const RequestStatusSchema = z.enum(['open', 'answered', 'closed']);
export const OfferStatusSchema = z.enum(['offered', 'accepted', 'declined', 'withdrawn', 'delivered']);
export type OfferStatus = z.infer<typeof OfferStatusSchema>;

export const RequestFacilitationSchema = z
  .object({
    kind: FacilitationKindSchema,
    text: text(10, 2000),
    wantedBy: z.iso.date().optional(),
  })
  .strict()
  .meta({ id: 'RequestFacilitation' });
export type RequestFacilitation = z.infer<typeof RequestFacilitationSchema>;

export const FacilitationRequestSchema = z
  .object({
    id: UlidSchema,
    initiativeId: UlidSchema,
    municipalityId: SlugSchema,
    neighbourhoodId: SlugSchema,
    kind: FacilitationKindSchema,
    text: z.string(),
    wantedBy: z.iso.date().optional(),
    status: RequestStatusSchema,
    createdAt: IsoDateTimeSchema,
    firstOfferAt: IsoDateTimeSchema.optional(),
    closedAt: IsoDateTimeSchema.optional(),
    revision: z.number().int().nonnegative(),
  })
  .meta({ id: 'FacilitationRequest' });
export type FacilitationRequest = z.infer<typeof FacilitationRequestSchema>;

export const OfferFacilitationSchema = z
  .object({
    kind: FacilitationKindSchema,
    text: text(10, 2000),
    conditions: text(1, 2000).optional(),
    /** Whole euros; for funding, or the value of what is offered. */
    amountEuros: z.number().int().min(0).max(10_000_000).optional(),
    /** The request this answers; absent for an unasked offer. */
    requestId: UlidSchema.optional(),
  })
  .strict()
  .meta({ id: 'OfferFacilitation' });
export type OfferFacilitation = z.infer<typeof OfferFacilitationSchema>;

export const OfferSchema = z
  .object({
    id: UlidSchema,
    initiativeId: UlidSchema,
    /** The offering municipality: the initiative's own. */
    municipalityId: SlugSchema,
    neighbourhoodId: SlugSchema,
    requestId: UlidSchema.optional(),
    kind: FacilitationKindSchema,
    text: z.string(),
    conditions: z.string().optional(),
    amountEuros: z.number().int().optional(),
    status: OfferStatusSchema,
    createdAt: IsoDateTimeSchema,
    decidedAt: IsoDateTimeSchema.optional(),
    deliveredAt: IsoDateTimeSchema.optional(),
    revision: z.number().int().nonnegative(),
  })
  .meta({ id: 'Offer' });
export type Offer = z.infer<typeof OfferSchema>;

/** Offers anyone may see: those the initiative took up. Pending and refused ones stay between the two parties. */
export const publicOfferStatuses: readonly OfferStatus[] = ['accepted', 'delivered'];

const offerData = z.object({ offer: OfferSchema.omit({ revision: true }) });

export const FacilitationRequested = defineEvent({
  name: 'FacilitationRequested',
  source: sources.facilitation,
  version: 1,
  description: "An initiative's owners asked their municipality for help.",
  data: z.object({ request: FacilitationRequestSchema.omit({ revision: true }) }),
});

export const FacilitationRequestClosed = defineEvent({
  name: 'FacilitationRequestClosed',
  source: sources.facilitation,
  version: 1,
  description: "An initiative's owners closed a request: it needs no more answers.",
  data: z.object({ requestId: UlidSchema, initiativeId: UlidSchema }),
});

export const FacilitationOffered = defineEvent({
  name: 'FacilitationOffered',
  source: sources.facilitation,
  version: 1,
  description: 'A municipality offered help to an initiative, in reply to a request or unasked.',
  data: offerData.extend({
    /** Set when this offer is the first answer to a request: how long the initiative waited. */
    firstAnswer: z
      .object({ requestId: UlidSchema, requestedAt: IsoDateTimeSchema, waitedSeconds: z.number() })
      .optional(),
  }),
});

export const OfferAccepted = defineEvent({
  name: 'OfferAccepted',
  source: sources.facilitation,
  version: 1,
  description: "The initiative's owners accepted an offer.",
  data: offerData,
});

export const OfferDeclined = defineEvent({
  name: 'OfferDeclined',
  source: sources.facilitation,
  version: 1,
  description: "The initiative's owners declined an offer; no reason is needed.",
  data: offerData,
});

export const OfferWithdrawn = defineEvent({
  name: 'OfferWithdrawn',
  source: sources.facilitation,
  version: 1,
  description: 'The municipality withdrew an offer the initiative had not yet answered.',
  data: offerData,
});

export const FacilitationDelivered = defineEvent({
  name: 'FacilitationDelivered',
  source: sources.facilitation,
  version: 1,
  description: 'The municipality delivered what the initiative accepted.',
  data: offerData,
});
