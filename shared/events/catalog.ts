import * as z from 'zod';
import { IsoDateTimeSchema, UlidSchema } from '../domain/common.ts';

/** EventBridge `source` values: one per bounded context. */
export const sources = {
  initiatives: 'plein.initiatives',
  facilitation: 'plein.facilitation',
  polls: 'plein.polls',
  channels: 'plein.channels',
  moderation: 'plein.moderation',
  accounts: 'plein.accounts',
} as const;
export type Source = (typeof sources)[keyof typeof sources];

/** What every event's `detail` carries, whatever its data. */
export const EnvelopeSchema = z.object({
  eventId: UlidSchema,
  version: z.number().int().positive(),
  occurredAt: IsoDateTimeSchema,
  municipalityId: z.string(),
  neighbourhoodId: z.string().optional(),
});

export interface EventDefinition<Name extends string = string, Data extends z.ZodType = z.ZodType> {
  /** The EventBridge `detail-type`: the event's name, in the past tense. */
  name: Name;
  source: Source;
  version: number;
  description: string;
  data: Data;
  /** The zod schema of the whole `detail`: envelope plus data. */
  detail: z.ZodType<z.infer<typeof EnvelopeSchema> & { data: z.infer<Data> }>;
}

export function defineEvent<Name extends string, Data extends z.ZodType>(definition: {
  name: Name;
  source: Source;
  version: number;
  description: string;
  data: Data;
}): EventDefinition<Name, Data> {
  const detail = EnvelopeSchema.extend({ data: definition.data }).meta({ id: `${definition.name}Detail` });
  return { ...definition, detail: detail as unknown as EventDefinition<Name, Data>['detail'] };
}

/** A domain event as the domain emits it: its definition's name and source, and the detail. */
export interface DomainEvent<Data = unknown> {
  source: Source;
  detailType: string;
  detail: z.infer<typeof EnvelopeSchema> & { data: Data };
}

/** Builds an event, checking its detail against the catalog so that nothing malformed is ever committed. */
export function createEvent<Name extends string, Data extends z.ZodType>(
  definition: EventDefinition<Name, Data>,
  envelope: z.infer<typeof EnvelopeSchema>,
  data: z.input<Data>,
): DomainEvent<z.infer<Data>> {
  const detail = definition.detail.parse({ ...envelope, version: definition.version, data });
  return { source: definition.source, detailType: definition.name, detail };
}
