import { join } from 'node:path';
import {
  type AttemptOutcome,
  type Delivery,
  outcomeOfStatus,
  webhookPayload,
} from '#shared/domain/delivery.ts';
import { describeEvent } from '#shared/domain/delivery-render.ts';
import { checkWebhookUrl } from '#shared/domain/ssrf.ts';
import type { Subscription } from '#shared/domain/subscription.ts';
import type { ChannelConfig } from './config.ts';
import { systemResolver } from './dns.ts';
import {
  type BusForwarder,
  defaultEventBridgeClient,
  eventBridgeForwarder,
  localBusLog,
} from './eventbus.ts';
import { type MailMessage, type MailSender, mailSenderFor } from './mail.ts';
import { aesGcmSecretBox, fileKey, type SecretBox, secretsManagerKey } from './secret-box.ts';
import { guardedLookup, postWebhook } from './webhook.ts';

export type Send = (
  delivery: Delivery,
  subscription: Subscription,
  sealedSecret: string | undefined,
) => Promise<AttemptOutcome | 'gone'>;

export interface ChannelAdapters {
  secrets: SecretBox;
  mail: MailSender;
  bus: BusForwarder;
}

/** The sealing key, the mail sender and the bus forwarder for this mode: files locally, AWS services in AWS. */
export function channelAdapters(config: ChannelConfig): ChannelAdapters {
  if (config.PLEIN_MODE === 'local') {
    const directory = config.LOCAL_CHANNEL_DIR;
    if (!directory || !config.CHANNEL_SECRET_KEY_FILE) {
      throw new Error(
        'Invalid configuration: local mode needs LOCAL_CHANNEL_DIR and CHANNEL_SECRET_KEY_FILE',
      );
    }
    return {
      secrets: aesGcmSecretBox(fileKey(config.CHANNEL_SECRET_KEY_FILE)),
      mail: mailSenderFor(config),
      bus: localBusLog(join(directory, 'eventbus.jsonl')),
    };
  }
  return {
    secrets: aesGcmSecretBox(
      secretsManagerKey(config.secretKeyId, {
        port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
        sessionToken: config.AWS_SESSION_TOKEN,
      }),
    ),
    mail: mailSenderFor(config),
    bus: eventBridgeForwarder(defaultEventBridgeClient()),
  };
}

/** An email a person reads: what happened, where to look, and the event itself for their tools. */
export function emailFor(delivery: Delivery, to: string, baseUrl: string | undefined): MailMessage {
  const text = describeEvent(delivery.event.detailType, delivery.event.detail);
  return {
    to,
    deliveryId: delivery.id,
    subject: `[Plein] ${text.title}`.slice(0, 200),
    text: [
      text.summary,
      '',
      ...(baseUrl ? [`${new URL(text.path, baseUrl)}`, ''] : []),
      `Event: ${delivery.event.detailType} (${delivery.eventId})`,
      '',
      JSON.stringify(delivery.event.detail, null, 2),
      '',
      'You receive this because your municipality subscribed this address to Plein events.',
    ].join('\n'),
  };
}

/** Sends a delivery over its subscription's channel. A webhook's URL is vetted again, now (DNS may have changed). */
export function channelSender(config: ChannelConfig, adapters: ChannelAdapters): Send {
  const inAws = config.PLEIN_MODE === 'aws';
  const lookup = inAws ? guardedLookup() : undefined;
  return async (delivery, subscription, sealedSecret) => {
    switch (subscription.kind) {
      case 'webhook': {
        const url = subscription.url ?? '';
        const verdict = await checkWebhookUrl(url, { mode: config.PLEIN_MODE, resolve: systemResolver });
        if (!verdict.ok) return { ok: false, error: `Refused: the URL ${verdict.reason}.`, retry: true };
        if (!sealedSecret)
          return { ok: false, error: 'The subscription has no signing secret.', retry: false };
        const secret = await adapters.secrets.open(sealedSecret, subscription.id);
        const response = await postWebhook({
          url,
          id: delivery.id,
          secret,
          body: webhookPayload(delivery.event),
          timeoutMs: config.CHANNEL_HTTP_TIMEOUT_MS,
          ...(lookup ? { lookup } : {}),
        });
        const outcome = outcomeOfStatus(response.status);
        if (outcome !== 'gone' && !outcome.ok && response.excerpt) {
          return { ...outcome, error: `${outcome.error}: ${response.excerpt}` };
        }
        return outcome;
      }
      case 'email':
        await adapters.mail.send(emailFor(delivery, subscription.address ?? '', config.PUBLIC_BASE_URL));
        return { ok: true };
      case 'eventbus':
        await adapters.bus.forward(subscription.busArn ?? '', delivery.event, delivery.id);
        return { ok: true };
    }
  };
}
