import type { MessageKey } from '../i18n/index.ts';
import type { Initiative, Problem } from './api.ts';
import type { FacilitationApi, HelpRequest, OfferCommand } from './facilitation-api.ts';
import { type Errors, fieldText, idempotencyKeyOf, newIdempotencyKey, problemErrors } from './forms.ts';

/**
 * The forms on an initiative's page that facilitation needs: an owner's request for help, a staff
 * member's offer, and the one-button forms that move a request or an offer on. They all post to the
 * page itself with an `intent`; `handleFacilitationPost` does what it says.
 */

export const requestFields = ['requestKind', 'requestText', 'wantedBy'] as const;
export type RequestField = (typeof requestFields)[number];
export type RequestValues = Record<RequestField, string> & { idempotencyKey: string };

export const offerFields = ['offerRequest', 'offerKind', 'offerText', 'conditions', 'amountEuros'] as const;
export type OfferField = (typeof offerFields)[number];
export type OfferValues = Record<OfferField, string> & { idempotencyKey: string };

const intents = ['ask', 'offer', 'close-request', 'accept', 'decline', 'withdraw', 'deliver'] as const;
type Intent = (typeof intents)[number];

/** What the page says after a step that worked (`?done=`); `stale` is a step someone else beat. */
export const facilitationDone = {
  asked: 'facilitation.done.asked',
  offered: 'facilitation.done.offered',
  'request-closed': 'facilitation.done.requestClosed',
  accepted: 'facilitation.done.accepted',
  declined: 'facilitation.done.declined',
  withdrawn: 'facilitation.done.withdrawn',
  delivered: 'facilitation.done.delivered',
} as const satisfies Record<string, MessageKey>;
export type FacilitationDone = keyof typeof facilitationDone | 'stale';

const doneOfCommand: Record<OfferCommand, FacilitationDone> = {
  accept: 'accepted',
  decline: 'declined',
  withdraw: 'withdrawn',
  deliver: 'delivered',
};

export const emptyRequestValues = (): RequestValues => ({
  requestKind: '',
  requestText: '',
  wantedBy: '',
  idempotencyKey: newIdempotencyKey(),
});

/** An empty offer; in reply to `reply` (from the inbox's link) when it is one of the open requests. */
export function emptyOfferValues(reply?: HelpRequest): OfferValues {
  return {
    offerRequest: reply?.id ?? '',
    offerKind: reply?.kind ?? '',
    offerText: '',
    conditions: '',
    amountEuros: '',
    idempotencyKey: newIdempotencyKey(),
  };
}

function valuesOf<F extends string>(form: FormData, fields: readonly F[]) {
  const values = Object.fromEntries(fields.map((field) => [field, fieldText(form, field)])) as Record<
    F,
    string
  >;
  return { ...values, idempotencyKey: idempotencyKeyOf(form) };
}

export function requestBody(values: RequestValues) {
  const wantedBy = values.wantedBy.trim();
  return { kind: values.requestKind, text: values.requestText.trim(), ...(wantedBy ? { wantedBy } : {}) };
}

export function offerBody(values: OfferValues) {
  const conditions = values.conditions.trim();
  const amount = values.amountEuros.trim().replace(/[\s.]/g, '');
  return {
    kind: values.offerKind,
    text: values.offerText.trim(),
    ...(conditions ? { conditions } : {}),
    // Whole euros; anything else is sent as typed, for the API to refuse at its field.
    ...(amount ? { amountEuros: /^\d+$/.test(amount) ? Number(amount) : amount } : {}),
    ...(values.offerRequest ? { requestId: values.offerRequest } : {}),
  };
}

const requestPaths = [
  [/^kind$/, 'requestKind'],
  [/^text$/, 'requestText'],
  [/^wantedBy$/, 'wantedBy'],
] as const;
const offerPaths = [
  [/^requestId$/, 'offerRequest'],
  [/^kind$/, 'offerKind'],
  [/^text$/, 'offerText'],
  [/^conditions$/, 'conditions'],
  [/^amountEuros$/, 'amountEuros'],
] as const;

export const requestErrors = (problem: Problem, message: (key: MessageKey) => string) =>
  problemErrors(
    problem,
    requestFields,
    requestPaths,
    (field) => message(`error.${field}`),
    message('error.form'),
  );

export const offerErrors = (problem: Problem, message: (key: MessageKey) => string, conflict = false) =>
  conflict
    ? { fields: {}, form: message('error.offerConflict') }
    : problemErrors(
        problem,
        offerFields,
        offerPaths,
        (field) => message(`error.${field}`),
        message('error.form'),
      );

export type FacilitationOutcome =
  | { kind: 'done'; done: FacilitationDone }
  | { kind: 'sign-in' }
  | { kind: 'request-invalid'; values: RequestValues; problem: Problem }
  | { kind: 'offer-invalid'; values: OfferValues; problem: Problem; conflict: boolean }
  | { kind: 'failed'; status: number };

/** Carries out one posted facilitation form for this initiative. */
export async function handleFacilitationPost(
  api: FacilitationApi,
  initiative: Initiative,
  form: FormData,
): Promise<FacilitationOutcome> {
  const intent = fieldText(form, 'intent') as Intent;
  const key = idempotencyKeyOf(form);
  const target = fieldText(form, 'target');
  if (intent === 'ask') {
    const values = valuesOf(form, requestFields);
    const result = await api.askForHelp(initiative.id, requestBody(values), values.idempotencyKey);
    if (result.ok) return { kind: 'done', done: 'asked' };
    if (result.status === 400) return { kind: 'request-invalid', values, problem: result.problem };
    return failure(result.status);
  }
  if (intent === 'offer') {
    const values = valuesOf(form, offerFields);
    const result = await api.offerHelp(initiative.id, offerBody(values), values.idempotencyKey);
    if (result.ok) return { kind: 'done', done: 'offered' };
    // 409: the initiative no longer takes this offer (its stance changed, the request closed).
    if (result.status === 400 || result.status === 409) {
      return { kind: 'offer-invalid', values, problem: result.problem, conflict: result.status === 409 };
    }
    return failure(result.status);
  }
  if (intent === 'close-request') return stepped(await api.closeRequest(target, key), 'request-closed');
  if (intent === 'accept' || intent === 'decline' || intent === 'withdraw' || intent === 'deliver') {
    return stepped(await api.changeOffer(target, intent, key), doneOfCommand[intent]);
  }
  return { kind: 'failed', status: 400 };
}

function failure(status: number): FacilitationOutcome {
  return status === 401 ? { kind: 'sign-in' } : { kind: 'failed', status };
}

/** A one-button step: a 409 means someone else moved it first, and the page shows how it stands now. */
function stepped(result: { ok: boolean; status?: number }, done: FacilitationDone): FacilitationOutcome {
  if (result.ok) return { kind: 'done', done };
  if (result.status === 409) return { kind: 'done', done: 'stale' };
  return failure(result.status ?? 500);
}

/** Errors for the page, in the visitor's language. */
export type FacilitationErrors = { request?: Errors<RequestField>; offer?: Errors<OfferField> };
