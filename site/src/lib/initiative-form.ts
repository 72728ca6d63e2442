import { randomUUID } from 'node:crypto';
import type { Locale, MessageKey } from '../i18n/index.ts';
import { helpKinds, type Initiative, type InitiativeInput, type Municipality, type Problem } from './api.ts';
import { isoToLocalInput, localInputToIso, timeZoneOf } from './dates.ts';
import { parseThemes } from './themes.ts';

/**
 * The register / edit form of an initiative: its fields as typed, the API body made from them, and
 * the API's field paths (`links.website`, `activities.0.startsAt`) mapped back onto the fields.
 */

/** The form's fields, in the order they appear: the error summary follows it. */
export const formFields = [
  'name',
  'summary',
  'description',
  'language',
  'place',
  'themes',
  'website',
  'social',
  'chat',
  'helpWanted',
  'stance',
  'contactEmail',
  'activityTitle',
  'activityStartsAt',
  'activityPlace',
] as const;
export type FormField = (typeof formFields)[number];

type TextField = Exclude<FormField, 'helpWanted'>;
export type FormValues = Record<TextField, string> & { helpWanted: string[]; idempotencyKey: string };

/** The element an error links to: a fieldset's first option, or the field itself (any form's). */
export function controlId(field: string): string {
  if (field === 'helpWanted') return `f-helpWanted-${helpKinds[0]}`;
  if (field === 'stance') return 'f-stance-open';
  return `f-${field}`;
}

export function emptyValues(locale: Locale): FormValues {
  const values = Object.fromEntries(formFields.map((field) => [field, ''])) as Record<TextField, string>;
  return { ...values, language: locale, stance: 'open', helpWanted: [], idempotencyKey: randomUUID() };
}

export function valuesFromForm(form: FormData): FormValues {
  const text = (name: string) => {
    const value = form.get(name);
    // Browsers send a textarea's line breaks as CRLF; Plein stores plain LF.
    return typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '';
  };
  const values = Object.fromEntries(formFields.map((field) => [field, text(field)])) as Record<
    TextField,
    string
  >;
  const helpWanted = form.getAll('helpWanted').filter((kind): kind is string => typeof kind === 'string');
  return { ...values, helpWanted, idempotencyKey: text('idempotencyKey') || randomUUID() };
}

export function valuesOfInitiative(initiative: Initiative, timeZone: string): FormValues {
  const [first] = initiative.activities;
  return {
    name: initiative.name,
    summary: initiative.summary,
    description: initiative.description,
    language: initiative.language,
    place: `${initiative.municipalityId}/${initiative.neighbourhoodId}`,
    themes: initiative.themes.join(', '),
    website: initiative.links.website ?? '',
    social: initiative.links.social ?? '',
    chat: initiative.links.chat ?? '',
    helpWanted: initiative.helpWanted.map((help) => help.kind),
    stance: initiative.facilitationStance,
    contactEmail: initiative.contactEmail ?? '',
    activityTitle: first?.title ?? '',
    activityStartsAt: first ? isoToLocalInput(first.startsAt, timeZone) : '',
    activityPlace: first?.place ?? '',
    idempotencyKey: randomUUID(),
  };
}

type Activity = Initiative['activities'][number];
type NewActivity = Omit<Activity, 'id'>;

const withoutId = ({ id: _id, ...activity }: Activity): NewActivity => activity;

/** The first activity as typed; an end time it had is kept while it still comes after the start. */
function firstActivity(values: FormValues, timeZone: string, before?: Activity): NewActivity | undefined {
  const title = values.activityTitle.trim();
  const place = values.activityPlace.trim();
  if (!title && !values.activityStartsAt.trim() && !place) return undefined;
  const typed = localInputToIso(values.activityStartsAt, timeZone);
  // The same instant keeps its stored spelling, so that an unchanged activity is not sent as a change.
  const startsAt = before && Date.parse(before.startsAt) === Date.parse(typed) ? before.startsAt : typed;
  const endsAt =
    before?.endsAt && Date.parse(before.endsAt) >= Date.parse(startsAt) ? before.endsAt : undefined;
  return { title, startsAt, ...(endsAt ? { endsAt } : {}), ...(place ? { place } : {}) };
}

function links(values: FormValues) {
  const entries = (['website', 'social', 'chat'] as const)
    .map((kind) => [kind, values[kind].trim()] as const)
    .filter(([, href]) => href !== '');
  return Object.fromEntries(entries);
}

/** Ticked kinds in the list's order, keeping the words an owner once wrote for a kind still ticked. */
function helpWanted(values: FormValues, before: Initiative['helpWanted'] = []) {
  const known = new Set<string>(helpKinds);
  // Kinds the form does not offer are passed on for the API to refuse.
  const unknown = values.helpWanted.filter((kind) => !known.has(kind));
  const kinds = [...helpKinds.filter((kind) => values.helpWanted.includes(kind)), ...unknown];
  return kinds.map((kind) => before.find((help) => help.kind === kind) ?? { kind });
}

function placeOfValue(value: string) {
  const [municipalityId = '', neighbourhoodId = ''] = value.split('/');
  return { municipalityId, neighbourhoodId };
}

/** The body of `POST /api/initiatives`. Empty optional fields are left out; required ones are sent for the API to judge. */
export function registrationBody(values: FormValues, municipalities: Municipality[]): InitiativeInput {
  const { municipalityId, neighbourhoodId } = placeOfValue(values.place);
  const country = municipalities.find((municipality) => municipality.id === municipalityId)?.country;
  const activity = firstActivity(values, timeZoneOf(country));
  return {
    name: values.name,
    summary: values.summary,
    description: values.description,
    language: values.language,
    ...(municipalityId ? { municipalityId } : {}),
    ...(neighbourhoodId ? { neighbourhoodId } : {}),
    themes: parseThemes(values.themes),
    links: links(values),
    helpWanted: helpWanted(values),
    facilitationStance: values.stance,
    ...(values.contactEmail.trim() ? { contactEmail: values.contactEmail.trim() } : {}),
    activities: activity ? [activity] : [],
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The body of `PATCH /api/initiatives/{id}`: only the fields that differ from the initiative. */
export function updatePatch(values: FormValues, initiative: Initiative, timeZone: string): InitiativeInput {
  const [first, ...others] = initiative.activities;
  const activity = firstActivity(values, timeZone, first);
  const email = values.contactEmail.trim();
  const next: InitiativeInput = {
    name: values.name.trim(),
    summary: values.summary.trim(),
    description: values.description.trim(),
    language: values.language,
    neighbourhoodId: placeOfValue(values.place).neighbourhoodId,
    themes: parseThemes(values.themes),
    links: links(values),
    helpWanted: helpWanted(values, initiative.helpWanted),
    facilitationStance: values.stance,
    contactEmail: email || null,
    activities: [...(activity ? [activity] : []), ...others.map(withoutId)],
  };
  const current: InitiativeInput = {
    ...initiative,
    contactEmail: initiative.contactEmail ?? null,
    activities: initiative.activities.map(withoutId),
  };
  return Object.fromEntries(Object.entries(next).filter(([key, value]) => !same(value, current[key])));
}

const fieldOfPath: [RegExp, FormField][] = [
  [/^name$/, 'name'],
  [/^summary$/, 'summary'],
  [/^description$/, 'description'],
  [/^language$/, 'language'],
  [/^(municipalityId|neighbourhoodId)$/, 'place'],
  [/^themes(\.|$)/, 'themes'],
  [/^links\.website$/, 'website'],
  [/^links\.social$/, 'social'],
  [/^links\.chat$/, 'chat'],
  [/^helpWanted(\.|$)/, 'helpWanted'],
  [/^facilitationStance$/, 'stance'],
  [/^contactEmail$/, 'contactEmail'],
  [/^activities\.0\.title$/, 'activityTitle'],
  [/^activities\.0\.(startsAt|endsAt)$/, 'activityStartsAt'],
  [/^activities\.0\.place$/, 'activityPlace'],
];

export interface FormErrors {
  /** Each field's message, in the form's order. */
  fields: Partial<Record<FormField, string>>;
  /** A message for the form as a whole, when the API named nothing the form shows. */
  form?: string;
}

/** The API's problem as messages on the form's fields, in the visitor's language. */
export function formErrors(problem: Problem, message: (key: MessageKey) => string): FormErrors {
  const named = new Set<FormField>();
  let unplaced = (problem.errors ?? []).length === 0;
  for (const { path } of problem.errors ?? []) {
    const field = fieldOfPath.find(([pattern]) => pattern.test(path))?.[1];
    if (field) named.add(field);
    else unplaced = true;
  }
  const fields = Object.fromEntries(
    formFields.filter((field) => named.has(field)).map((field) => [field, message(`error.${field}`)]),
  );
  return { fields, ...(unplaced ? { form: message('error.form') } : {}) };
}

/** The ids a field's control is described by: its hint and its error, when it has them. */
export function describedBy(
  field: string,
  parts: { hint?: boolean; error?: boolean; extra?: string },
): string | undefined {
  const ids = [parts.extra, parts.hint && `f-${field}-hint`, parts.error && `f-${field}-error`].filter(
    Boolean,
  );
  return ids.length > 0 ? ids.join(' ') : undefined;
}
