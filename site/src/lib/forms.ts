import { randomUUID } from 'node:crypto';
import type { Problem } from './api.ts';

/**
 * What the site's smaller forms (help requests, offers, ballots, polls) share: reading a posted
 * field, the API's field paths mapped onto the form's fields, and one idempotency key per form.
 */

export interface Errors<F extends string = string> {
  /** Each field's message, in the form's order. */
  fields: Partial<Record<F, string>>;
  /** A message for the form as a whole, when the API named nothing the form shows. */
  form?: string;
}

/** A posted text field; browsers send a textarea's line breaks as CRLF, Plein stores LF. */
export function fieldText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '';
}

/** The key a form carries, so that sending it twice acts once; a fresh one when it has none. */
export function idempotencyKeyOf(form: FormData): string {
  const key = fieldText(form, 'idempotencyKey');
  return /^[\x21-\x7e]{8,128}$/.test(key) ? key : randomUUID();
}

export const newIdempotencyKey = () => randomUUID();

/**
 * The API's problem as messages on the form's fields. `paths` maps API paths to fields; a path it
 * does not know (or a problem that names no field) gives the form-wide message.
 */
export function problemErrors<F extends string>(
  problem: Problem,
  order: readonly F[],
  paths: readonly (readonly [RegExp, F])[],
  message: (field: F) => string,
  formMessage: string,
): Errors<F> {
  const named = new Set<F>();
  let unplaced = (problem.errors ?? []).length === 0;
  for (const { path } of problem.errors ?? []) {
    const field = paths.find(([pattern]) => pattern.test(path))?.[1];
    if (field) named.add(field);
    else unplaced = true;
  }
  const fields = Object.fromEntries(
    order.filter((field) => named.has(field)).map((field) => [field, message(field)]),
  ) as Partial<Record<F, string>>;
  return { fields, ...(unplaced ? { form: formMessage } : {}) };
}
