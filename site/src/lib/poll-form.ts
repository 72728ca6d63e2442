import type { Locale, MessageKey } from '../i18n/index.ts';
import type { Problem } from './api.ts';
import { isoToLocalInput, localInputToIso } from './dates.ts';
import { type Errors, fieldText, idempotencyKeyOf, newIdempotencyKey, problemErrors } from './forms.ts';

/** The form that creates a poll: its fields as typed, the API body made from them, and its errors. */

export const pollFields = [
  'question',
  'description',
  'language',
  'options',
  'choice',
  'maxChoices',
  'audience',
  'neighbourhoods',
  'opensAt',
  'closesAt',
  'resultsVisibility',
] as const;
export type PollField = (typeof pollFields)[number];
type TextField = Exclude<PollField, 'neighbourhoods'>;
export type PollValues = Record<TextField, string> & { neighbourhoods: string[]; idempotencyKey: string };
export type PollErrors = Errors<PollField>;

/** Who the poll belongs to: a municipality (its staff create it) or an initiative (its owners). */
export type PollOwner =
  | { kind: 'municipality'; municipalityId: string }
  | { kind: 'initiative'; initiativeId: string };

const DAY_MS = 86_400_000;

/** A new poll: open from now for two weeks, one choice, live results, the whole municipality. */
export function emptyPollValues(locale: Locale, timeZone: string, neighbourhoods: string[] = []): PollValues {
  const now = Date.now();
  return {
    question: '',
    description: '',
    language: locale,
    options: '',
    choice: 'single',
    maxChoices: '',
    audience: neighbourhoods.length > 0 ? 'neighbourhoods' : 'municipality',
    neighbourhoods,
    opensAt: isoToLocalInput(new Date(now).toISOString(), timeZone),
    closesAt: isoToLocalInput(new Date(now + 14 * DAY_MS).toISOString(), timeZone),
    resultsVisibility: 'live',
    idempotencyKey: newIdempotencyKey(),
  };
}

export function pollValuesFromForm(form: FormData): PollValues {
  const values = Object.fromEntries(
    pollFields.filter((field) => field !== 'neighbourhoods').map((field) => [field, fieldText(form, field)]),
  ) as Record<TextField, string>;
  const neighbourhoods = form.getAll('neighbourhoods').filter((id): id is string => typeof id === 'string');
  return { ...values, neighbourhoods, idempotencyKey: idempotencyKeyOf(form) };
}

/** One option per line; empty lines do not count. */
export const optionLines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** The body of `POST /api/polls`; what is typed wrongly is passed on for the API to name. */
export function pollBody(values: PollValues, owner: PollOwner, timeZone: string) {
  const max = values.maxChoices.trim();
  return {
    owner,
    language: values.language,
    question: values.question.trim(),
    description: values.description.trim(),
    options: optionLines(values.options),
    choice: values.choice,
    ...(values.choice === 'multiple' && max ? { maxChoices: /^\d+$/.test(max) ? Number(max) : max } : {}),
    audience:
      values.audience === 'neighbourhoods'
        ? { scope: 'neighbourhoods', neighbourhoodIds: values.neighbourhoods }
        : { scope: values.audience },
    opensAt: localInputToIso(values.opensAt, timeZone),
    closesAt: localInputToIso(values.closesAt, timeZone),
    resultsVisibility: values.resultsVisibility,
  };
}

const paths = [
  [/^question$/, 'question'],
  [/^description$/, 'description'],
  [/^language$/, 'language'],
  [/^options(\.|$)/, 'options'],
  [/^choice$/, 'choice'],
  [/^maxChoices$/, 'maxChoices'],
  [/^audience\.neighbourhoodIds/, 'neighbourhoods'],
  [/^audience(\.scope)?$/, 'audience'],
  [/^opensAt$/, 'opensAt'],
  [/^closesAt$/, 'closesAt'],
  [/^resultsVisibility$/, 'resultsVisibility'],
] as const;

export const pollErrors = (problem: Problem, message: (key: MessageKey) => string): PollErrors =>
  problemErrors(problem, pollFields, paths, (field) => message(`error.poll.${field}`), message('error.form'));

/** Where each field's error links to: radio groups and checkboxes to their first input. */
export function pollErrorTargets(firstNeighbourhood: string | undefined): Partial<Record<PollField, string>> {
  return {
    choice: 'f-choice-single',
    audience: 'f-audience-municipality',
    neighbourhoods: `f-neighbourhoods-${firstNeighbourhood ?? ''}`,
    resultsVisibility: 'f-resultsVisibility-live',
  };
}
