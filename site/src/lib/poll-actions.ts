import type { MessageKey } from '../i18n/index.ts';
import { fieldText, idempotencyKeyOf } from './forms.ts';
import type { Poll, PollsApi } from './polls-api.ts';

/**
 * What a poll's page does with a posted form: a ballot (`intent=vote`), or its owner opening or
 * closing it early. Each answer becomes a redirect with `?done=`, or something the page shows.
 */

export const pollDone = {
  voted: 'poll.done.voted',
  changed: 'poll.done.changed',
  created: 'poll.done.created',
  opened: 'poll.done.opened',
  closed: 'poll.done.closed',
} as const satisfies Record<string, MessageKey>;
export type PollDone = keyof typeof pollDone;

export type PollOutcome =
  | { kind: 'done'; done: PollDone | 'stale' }
  | { kind: 'sign-in' }
  /** The ballot as sent, refused for its choices: none, or too many. */
  | { kind: 'invalid-choice'; choices: string[] }
  | { kind: 'refused'; reason: 'not-in-audience' | 'not-open' | 'failed'; status: number };

export async function handlePollPost(api: PollsApi, poll: Poll, form: FormData): Promise<PollOutcome> {
  const intent = fieldText(form, 'intent');
  const key = idempotencyKeyOf(form);
  if (intent === 'vote') {
    const choices = form.getAll('choices').filter((choice): choice is string => typeof choice === 'string');
    if (choices.length === 0 || choices.length > poll.maxChoices) return { kind: 'invalid-choice', choices };
    const result = await api.castBallot(poll.id, choices, key);
    if (result.ok) return { kind: 'done', done: result.value.replaced ? 'changed' : 'voted' };
    if (result.status === 400) return { kind: 'invalid-choice', choices };
    return refusal(result.status, true);
  }
  if (intent === 'open' || intent === 'close') {
    const result = await api.changePoll(poll.id, intent, key);
    if (result.ok) return { kind: 'done', done: intent === 'open' ? 'opened' : 'closed' };
    if (result.status === 409) return { kind: 'done', done: 'stale' };
    return refusal(result.status, false);
  }
  return { kind: 'refused', reason: 'failed', status: 400 };
}

function refusal(status: number, voting: boolean): PollOutcome {
  if (status === 401) return { kind: 'sign-in' };
  if (voting && status === 403) return { kind: 'refused', reason: 'not-in-audience', status };
  if (voting && status === 409) return { kind: 'refused', reason: 'not-open', status };
  return { kind: 'refused', reason: 'failed', status: status >= 400 ? status : 500 };
}
