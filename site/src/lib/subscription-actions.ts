import { type Locale, type MessageKey, t } from '../i18n/index.ts';
import type { Problem } from './api.ts';
import { type ChannelsApi, type EventType, eventTypes, type Subscription } from './channels-api.ts';
import { type Errors, fieldText, idempotencyKeyOf, problemErrors } from './forms.ts';

/**
 * What a municipality's subscriptions page does with a posted form: subscribe a webhook, pause,
 * resume or delete a subscription, or give a webhook a new secret. A new secret is shown on the
 * answer itself, never put in a URL or stored by the site: it cannot be shown again.
 */

export const subscriptionFields = ['url', 'description', 'eventTypes'] as const;
export type SubscriptionField = (typeof subscriptionFields)[number];
export interface SubscriptionValues {
  url: string;
  description: string;
  eventTypes: string[];
}
export const emptySubscription: SubscriptionValues = { url: '', description: '', eventTypes: [] };

export const subscriptionDone = {
  paused: 'subscriptions.done.paused',
  resumed: 'subscriptions.done.resumed',
  deleted: 'subscriptions.done.deleted',
} as const satisfies Record<string, MessageKey>;
export type SubscriptionDone = keyof typeof subscriptionDone;

export type SubscriptionOutcome =
  | { kind: 'done'; done: SubscriptionDone | 'stale' }
  /** Created or rotated: the secret, to show this once. */
  | { kind: 'secret'; secret: string; subscription: Subscription; created: boolean }
  | { kind: 'invalid'; values: SubscriptionValues; errors: Errors<SubscriptionField> }
  | { kind: 'refused'; status: number };

const paths = [
  [/^url$/, 'url'],
  [/^description$/, 'description'],
  [/^eventTypes/, 'eventTypes'],
] as const;

export const subscriptionErrorMessages: Record<SubscriptionField, MessageKey> = {
  url: 'subscriptions.error.url',
  description: 'subscriptions.error.description',
  eventTypes: 'subscriptions.error.eventTypes',
};

function valuesOf(form: FormData): SubscriptionValues {
  return {
    url: fieldText(form, 'url').trim(),
    description: fieldText(form, 'description').trim(),
    eventTypes: form
      .getAll('eventTypes')
      .filter(
        (type): type is string =>
          typeof type === 'string' && (eventTypes as readonly string[]).includes(type),
      ),
  };
}

export async function handleSubscriptionPost(
  api: ChannelsApi,
  municipalityId: string,
  form: FormData,
  message: (key: MessageKey) => string,
): Promise<SubscriptionOutcome> {
  const intent = fieldText(form, 'intent');
  const target = fieldText(form, 'target');
  const key = idempotencyKeyOf(form);
  if (intent === 'subscribe') {
    const values = valuesOf(form);
    const result = await api.subscribe(municipalityId, { kind: 'webhook', ...values }, key);
    if (result.ok) {
      // A repeated form gets the stored answer, which never holds the secret: the list shows it made.
      if (!result.value.secret) return { kind: 'done', done: 'stale' };
      return { kind: 'secret', secret: result.value.secret, subscription: result.value, created: true };
    }
    if (result.status === 400) return { kind: 'invalid', values, errors: errorsOf(result.problem, message) };
    return { kind: 'refused', status: result.status };
  }
  if (intent === 'rotate') {
    const result = await api.rotateSecret(target);
    if (result.ok && result.value.secret) {
      return { kind: 'secret', secret: result.value.secret, subscription: result.value, created: false };
    }
    return result.ok || result.status === 409 ? { kind: 'done', done: 'stale' } : refused(result.status);
  }
  if (intent === 'pause' || intent === 'resume') {
    const result = await api.setStatus(target, intent === 'pause' ? 'paused' : 'active', key);
    if (result.ok) return { kind: 'done', done: intent === 'pause' ? 'paused' : 'resumed' };
    return result.status === 409 ? { kind: 'done', done: 'stale' } : refused(result.status);
  }
  if (intent === 'delete') {
    const result = await api.unsubscribe(target, key);
    if (result.ok || result.status === 404) return { kind: 'done', done: 'deleted' };
    return result.status === 409 ? { kind: 'done', done: 'stale' } : refused(result.status);
  }
  return { kind: 'refused', status: 400 };
}

const refused = (status: number): SubscriptionOutcome => ({ kind: 'refused', status });

function errorsOf(problem: Problem, message: (key: MessageKey) => string): Errors<SubscriptionField> {
  return problemErrors(
    problem,
    subscriptionFields,
    paths,
    (field) => message(subscriptionErrorMessages[field]),
    message('subscriptions.error.form'),
  );
}

/** An event type in words, or its catalog name for one the site does not know yet. */
export function eventLabel(locale: Locale, type: string): string {
  return (eventTypes as readonly string[]).includes(type) ? t(locale, `event.${type as EventType}`) : type;
}
