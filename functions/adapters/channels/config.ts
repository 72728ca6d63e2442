import * as z from 'zod';
import { DEFAULT_RETRY_SCHEDULE_MS } from '#shared/domain/delivery.ts';
import { FAILING_AFTER_MS } from '#shared/domain/subscription-decisions.ts';

const milliseconds = z.coerce
  .number()
  .int()
  .min(0)
  .max(7 * 86_400_000);

const ChannelConfigSchema = z.object({
  PLEIN_MODE: z.enum(['local', 'aws']).default('aws'),
  TABLE_NAME: z.string().min(1),
  /** Waits between tries, comma-separated milliseconds; Standard Webhooks' schedule when unset. */
  CHANNEL_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'comma-separated milliseconds')
    .optional()
    .transform((value) => (value ? value.split(',').map((part) => milliseconds.parse(part)) : undefined)),
  /** How long a channel fails every delivery before it is marked failing. */
  CHANNEL_FAILING_AFTER_MS: milliseconds.default(FAILING_AFTER_MS),
  /** Every outgoing HTTP call gives up after this long. */
  CHANNEL_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Local mode: a git-ignored folder for the mail outbox and the event bus log. */
  LOCAL_CHANNEL_DIR: z.string().min(1).optional(),
  /** Local mode: the key that seals webhook secrets, a git-ignored file made on first use. */
  CHANNEL_SECRET_KEY_FILE: z.string().min(1).optional(),
  /** AWS: the Secrets Manager secret holding that key (at least 32 random characters). */
  CHANNEL_SECRET_KEY_SECRET_ID: z.string().min(1).max(2048).optional(),
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: z.coerce.number().int().default(2773),
  AWS_SESSION_TOKEN: z.string().optional(),
  /** The sender of channel emails: an SES-verified identity in AWS. */
  MAIL_FROM: z.string().min(3).max(320).default('Plein <no-reply@plein.localhost>'),
  /** AWS: the bus that carries "delivery due" notices to the per-kind dispatch queues. */
  CHANNEL_DISPATCH_BUS: z.string().min(1).optional(),
  /** Where links in emails point; the request's own host is used for feeds. */
  PUBLIC_BASE_URL: z.url().optional(),
});

export type ChannelConfig = z.infer<typeof ChannelConfigSchema> & {
  retryScheduleMs: readonly number[];
  secretKeyId: string;
};

/**
 * The channel key's secret, named after the table by convention (infra/cdk/channels.ts makes it), so that
 * a function that has the table finds the key without a setting of its own.
 */
export const channelKeySecretName = (tableName: string) => `plein/${tableName}/channel-key`;

let cached: ChannelConfig | undefined;

/** The channels' configuration, parsed once per cold start from the environment, failing loudly. */
export function channelConfig(): ChannelConfig {
  if (!cached) {
    const parsed = ChannelConfigSchema.safeParse(process.env);
    if (!parsed.success) throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
    cached = {
      ...parsed.data,
      retryScheduleMs: parsed.data.CHANNEL_RETRY_SCHEDULE_MS ?? DEFAULT_RETRY_SCHEDULE_MS,
      secretKeyId: parsed.data.CHANNEL_SECRET_KEY_SECRET_ID ?? channelKeySecretName(parsed.data.TABLE_NAME),
    };
  }
  return cached;
}
