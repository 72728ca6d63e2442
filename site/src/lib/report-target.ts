import type { Locale } from '../i18n/index.ts';
import { createApi } from './api.ts';
import { type ReportKind, reportKinds } from './moderation-api.ts';
import { initiativePath } from './places.ts';
import { createPollsApi } from './polls-api.ts';

/** What the report page names, and where it goes back to: an initiative or a poll the caller can see. */
export interface ReportTarget {
  kind: ReportKind;
  id: string;
  name: string;
  language: Locale;
  path: string;
}

const isReportKind = (value: string | null): value is ReportKind =>
  (reportKinds as readonly (string | null)[]).includes(value);

/** The item named by `?kind=&id=`, or undefined when there is none (or none this caller may see). */
export async function loadReportTarget(
  locale: Locale,
  query: URLSearchParams,
  token: string | undefined,
): Promise<ReportTarget | undefined> {
  const kind = query.get('kind');
  const id = query.get('id') ?? '';
  if (!isReportKind(kind) || id === '') return undefined;
  if (kind === 'initiative') {
    const initiative = await createApi(token).getInitiative(id);
    if (!initiative) return undefined;
    const { name, language } = initiative;
    return { kind, id: initiative.id, name, language, path: initiativePath(locale, initiative) };
  }
  const poll = await createPollsApi(token).getPoll(id);
  if (!poll) return undefined;
  return {
    kind,
    id: poll.id,
    name: poll.question,
    language: poll.language,
    path: `/${locale}/polls/${poll.id}`,
  };
}
