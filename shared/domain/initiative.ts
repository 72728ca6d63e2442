import * as z from 'zod';
import { defineEvent, sources } from '../events/catalog.ts';
import { HttpsUrlSchema, IsoDateTimeSchema, LocaleSchema, SlugSchema, text, UlidSchema } from './common.ts';

export const facilitationKinds = [
  'space',
  'permit',
  'funding',
  'promotion',
  'materials',
  'expertise',
  'other',
] as const;
export const FacilitationKindSchema = z.enum(facilitationKinds);

export const ThemeSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and hyphens')
  .max(40);

export const ActivitySchema = z
  .object({
    id: UlidSchema,
    title: text(2, 120),
    startsAt: IsoDateTimeSchema,
    endsAt: IsoDateTimeSchema.optional(),
    place: text(1, 200).optional(),
  })
  .strict();
export type Activity = z.infer<typeof ActivitySchema>;

export const NewActivitySchema = ActivitySchema.omit({ id: true })
  .strict()
  .refine((activity) => !activity.endsAt || activity.endsAt >= activity.startsAt, {
    path: ['endsAt'],
    message: 'must not be before startsAt',
  });

export const LinksSchema = z
  .object({
    website: HttpsUrlSchema.optional(),
    social: HttpsUrlSchema.optional(),
    chat: HttpsUrlSchema.optional(),
  })
  .strict();

export const HelpWantedSchema = z
  .object({ kind: FacilitationKindSchema, text: text(1, 500).optional() })
  .strict();

export const FacilitationStanceSchema = z.enum(['open', 'ask-first', 'none']);
export const InitiativeStatusSchema = z.enum(['published', 'archived']);

/** What an owner may write: the same fields at registration and in an edit. */
const editableFields = {
  name: text(2, 120),
  summary: text(10, 280),
  description: text(0, 5000).default(''),
  language: LocaleSchema,
  neighbourhoodId: SlugSchema,
  themes: z.array(ThemeSchema).max(8).default([]),
  links: LinksSchema.default({}),
  helpWanted: z.array(HelpWantedSchema).max(10).default([]),
  facilitationStance: FacilitationStanceSchema.default('open'),
  contactEmail: z.email().max(320).optional(),
};

export const RegisterInitiativeSchema = z
  .object({
    municipalityId: SlugSchema,
    ...editableFields,
    activities: z.array(NewActivitySchema).max(50).default([]),
  })
  .strict()
  .meta({ id: 'RegisterInitiative' });
export type RegisterInitiative = z.infer<typeof RegisterInitiativeSchema>;

export const UpdateInitiativeSchema = z
  .object({
    name: editableFields.name,
    summary: editableFields.summary,
    description: text(0, 5000),
    language: editableFields.language,
    neighbourhoodId: editableFields.neighbourhoodId,
    themes: z.array(ThemeSchema).max(8),
    links: LinksSchema,
    helpWanted: z.array(HelpWantedSchema).max(10),
    facilitationStance: FacilitationStanceSchema,
    contactEmail: z.email().max(320).nullable(),
    activities: z.array(NewActivitySchema).max(50),
  })
  .partial()
  .strict()
  // Only worth saying when nothing else is wrong: unknown fields are stripped before this runs.
  .refine((patch) => Object.keys(patch).length > 0, {
    message: 'must change at least one field',
    when: (payload) => payload.issues.length === 0,
  })
  .meta({ id: 'UpdateInitiative' });
export type UpdateInitiative = z.infer<typeof UpdateInitiativeSchema>;

export const InitiativeSchema = z.object({
  id: UlidSchema,
  slug: SlugSchema,
  municipalityId: SlugSchema,
  name: z.string(),
  summary: z.string(),
  description: z.string(),
  language: LocaleSchema,
  neighbourhoodId: SlugSchema,
  themes: z.array(z.string()),
  links: LinksSchema,
  activities: z.array(ActivitySchema),
  helpWanted: z.array(HelpWantedSchema),
  facilitationStance: FacilitationStanceSchema,
  status: InitiativeStatusSchema,
  owners: z.array(z.string()).min(1),
  contactEmail: z.string().optional(),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
  /** Incremented on every change: the repository writes only if nobody else changed it first. */
  revision: z.number().int().nonnegative(),
});
export type Initiative = z.infer<typeof InitiativeSchema>;

/** What anyone may see. Owners and contact details stay private. */
export const PublicInitiativeSchema = InitiativeSchema.omit({ owners: true, contactEmail: true }).meta({
  id: 'Initiative',
});
export type PublicInitiative = z.infer<typeof PublicInitiativeSchema>;

/** What an owner sees of their own initiative. */
export const OwnedInitiativeSchema = InitiativeSchema.extend({ viewerIsOwner: z.literal(true) }).meta({
  id: 'OwnedInitiative',
});

export function toPublicInitiative(initiative: Initiative): PublicInitiative {
  const { owners: _owners, contactEmail: _contactEmail, ...visible } = initiative;
  return visible;
}

// Events carry the public view only: they fan out to municipal channels.
const EventInitiativeSchema = PublicInitiativeSchema.omit({ revision: true });

export const InitiativeRegistered = defineEvent({
  name: 'InitiativeRegistered',
  source: sources.initiatives,
  version: 1,
  description: 'A neighbourhood group registered its initiative on Plein.',
  data: z.object({ initiative: EventInitiativeSchema }),
});

export const InitiativeUpdated = defineEvent({
  name: 'InitiativeUpdated',
  source: sources.initiatives,
  version: 1,
  description: "An initiative's owners changed its page.",
  data: z.object({ initiative: EventInitiativeSchema, changed: z.array(z.string()) }),
});

export const InitiativeArchived = defineEvent({
  name: 'InitiativeArchived',
  source: sources.initiatives,
  version: 1,
  description:
    'An initiative was archived by its owners; its page stays readable but it is no longer listed.',
  data: z.object({ initiativeId: UlidSchema, slug: SlugSchema, name: z.string() }),
});
