import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { ChannelConfig } from './config.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** Sent as X-Plein-Delivery-Id, so that a mail filter can drop a repeated delivery. */
  deliveryId: string;
}

/** The port: where channel emails go. SES in AWS, a folder locally. */
export interface MailSender {
  send(message: MailMessage): Promise<void>;
}

/** A mail as the local outbox keeps it: one JSON file per mail, in sending order by name. */
export interface LocalMail extends MailMessage {
  from: string;
  sentAt: string;
  messageId: string;
}

/** Locally, mail is written to a git-ignored folder that the site and the tests read (infra/local/mail.ts). */
export function localMailOutbox(directory: string, from: string, now = () => new Date()): MailSender {
  return {
    async send(message) {
      mkdirSync(directory, { recursive: true });
      const sentAt = now().toISOString();
      const messageId = randomUUID();
      const mail: LocalMail = { ...message, from, sentAt, messageId };
      writeFileSync(
        join(directory, `${sentAt.replace(/[:.]/g, '-')}-${messageId}.json`),
        `${JSON.stringify(mail, null, 2)}\n`,
      );
    },
  };
}

/** Amazon SES (v2 API): the sender must be a verified identity; out of the sandbox, any recipient. */
export function sesMailSender(client: SESv2Client, from: string): MailSender {
  return {
    async send(message) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.text, Charset: 'UTF-8' } },
              Headers: [{ Name: 'X-Plein-Delivery-Id', Value: message.deliveryId }],
            },
          },
        }),
      );
    },
  };
}

export function defaultSesClient(): SESv2Client {
  return new SESv2Client({ region: process.env.AWS_REGION ?? 'eu-west-1' });
}

/** The mail sender for this mode: the local outbox under LOCAL_CHANNEL_DIR locally, SES in AWS. */
export function mailSenderFor(config: ChannelConfig): MailSender {
  if (config.PLEIN_MODE === 'aws') return sesMailSender(defaultSesClient(), config.MAIL_FROM);
  if (!config.LOCAL_CHANNEL_DIR) throw new Error('Invalid configuration: local mode needs LOCAL_CHANNEL_DIR');
  return localMailOutbox(join(config.LOCAL_CHANNEL_DIR, 'mail'), config.MAIL_FROM);
}
