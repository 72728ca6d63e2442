import type { MessageKey } from '../i18n/index.ts';
import type { Problem } from './api.ts';
import { type Errors, fieldText, idempotencyKeyOf, newIdempotencyKey, problemErrors } from './forms.ts';
import type { ModerationApi, ReportKind } from './moderation-api.ts';

/** The report form: a category and, if the reporter wants, a few words for the municipality. */

export const reportFields = ['category', 'reportText'] as const;
export type ReportField = (typeof reportFields)[number];
export type ReportValues = Record<ReportField, string> & { idempotencyKey: string };

export const emptyReportValues = (): ReportValues => ({
  category: '',
  reportText: '',
  idempotencyKey: newIdempotencyKey(),
});

export function reportValuesOf(form: FormData): ReportValues {
  return {
    category: fieldText(form, 'category'),
    reportText: fieldText(form, 'reportText'),
    idempotencyKey: idempotencyKeyOf(form),
  };
}

/** The body of `POST /api/reports`; an empty text is left out, anything else goes to the API to judge. */
export function reportBody(kind: ReportKind, targetId: string, values: ReportValues) {
  const text = values.reportText.trim();
  return { kind, targetId, category: values.category, ...(text ? { text } : {}) };
}

const reportPaths = [
  [/^category$/, 'category'],
  [/^text$/, 'reportText'],
] as const;

export const reportErrors = (problem: Problem, message: (key: MessageKey) => string): Errors<ReportField> =>
  problemErrors(
    problem,
    reportFields,
    reportPaths,
    (field) => message(`error.${field}`),
    message('error.form'),
  );

export type ReportOutcome =
  | { kind: 'done' }
  | { kind: 'sign-in' }
  | { kind: 'invalid'; values: ReportValues; problem: Problem }
  | { kind: 'failed'; values: ReportValues; status: number };

/** Sends one posted report form about this item. */
export async function handleReportPost(
  api: ModerationApi,
  kind: ReportKind,
  targetId: string,
  form: FormData,
): Promise<ReportOutcome> {
  const values = reportValuesOf(form);
  const result = await api.report(reportBody(kind, targetId, values), values.idempotencyKey);
  if (result.ok) return { kind: 'done' };
  if (result.status === 401) return { kind: 'sign-in' };
  if (result.status === 400) return { kind: 'invalid', values, problem: result.problem };
  return { kind: 'failed', values, status: result.status };
}
