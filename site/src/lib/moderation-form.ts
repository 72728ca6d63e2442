import type { Locale, MessageKey } from '../i18n/index.ts';
import type { Problem } from './api.ts';
import { type Errors, fieldText, idempotencyKeyOf, newIdempotencyKey, problemErrors } from './forms.ts';
import { signInHref } from './links.ts';
import { createModerationApi, type ModerationApi, type ReportKind } from './moderation-api.ts';

/**
 * An owner's appeal against hiding their initiative or poll: a form on the item's own page, posted
 * there with `intent=appeal` and sent on to the API by `handleAppealPost`.
 */

export const APPEAL_INTENT = 'appeal';
export type AppealField = 'appealText';
export type AppealValues = { appealText: string; idempotencyKey: string };

export const emptyAppealValues = (): AppealValues => ({
  appealText: '',
  idempotencyKey: newIdempotencyKey(),
});

/** Whether a posted form is an appeal (and not one of the page's other forms). */
export const isAppeal = (form: FormData) => fieldText(form, 'intent') === APPEAL_INTENT;

export type AppealOutcome =
  | { kind: 'done' }
  | { kind: 'sign-in' }
  | { kind: 'invalid'; values: AppealValues; errors: Errors<AppealField> }
  | { kind: 'failed'; status: number };

export async function handleAppealPost(
  api: ModerationApi,
  kind: ReportKind,
  id: string,
  form: FormData,
  message: (key: MessageKey) => string,
): Promise<AppealOutcome> {
  const values = { appealText: fieldText(form, 'appealText'), idempotencyKey: idempotencyKeyOf(form) };
  const result = await api.appeal(kind, id, values.appealText.trim(), values.idempotencyKey);
  if (result.ok) return { kind: 'done' };
  if (result.status === 401) return { kind: 'sign-in' };
  if (result.status === 400)
    return { kind: 'invalid', values, errors: appealErrors(result.problem, message) };
  return { kind: 'failed', status: result.status };
}

const appealErrors = (problem: Problem, message: (key: MessageKey) => string) =>
  problemErrors(
    problem,
    ['appealText'] as const,
    [[/^text$/, 'appealText']] as const,
    () => message('error.appealText'),
    message('error.form'),
  );

/** The appeal form's state on an item's page, after whatever was posted there. */
export interface PageAppeal {
  /** Whether the page's POST was an appeal (so no other form's). */
  posted: boolean;
  values: AppealValues;
  errors?: Errors<AppealField>;
  failed?: boolean;
  status?: number;
  redirect?: string;
}

/** Carries out an appeal posted to the item's page at `here`; anything else posted there is left alone. */
export async function appealOnPage(
  request: Request,
  token: string | undefined,
  target: { kind: ReportKind; id: string; locale: Locale; here: string },
  message: (key: MessageKey) => string,
): Promise<PageAppeal> {
  const fresh = { posted: false, values: emptyAppealValues() };
  if (request.method !== 'POST') return fresh;
  // A clone: the page's other forms read the body again when this is not an appeal.
  const form = await request.clone().formData();
  if (!isAppeal(form)) return fresh;
  const signIn = { ...fresh, posted: true, redirect: signInHref(target.locale, target.here) };
  if (!token) return signIn;
  const outcome = await handleAppealPost(createModerationApi(token), target.kind, target.id, form, message);
  if (outcome.kind === 'done') return { ...fresh, posted: true, redirect: `${target.here}?done=appealed` };
  if (outcome.kind === 'sign-in') return signIn;
  if (outcome.kind === 'invalid') {
    return { posted: true, values: outcome.values, errors: outcome.errors, status: 400 };
  }
  return { ...fresh, posted: true, failed: true, status: outcome.status };
}
