import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalMail } from '#functions/adapters/channels/mail.ts';
import type { DeliveredEvent } from '#shared/domain/delivery.ts';

/**
 * The local ends of the municipal channels that do not go out over HTTP: the email outbox (one JSON file
 * per mail under `<channelDir>/mail/`) and the log of events forwarded to EventBridge buses. The site and
 * the tests read them here; functions/adapters/channels/ writes them.
 */
export function readLocalMail(channelDir: string): LocalMail[] {
  const directory = join(channelDir, 'mail');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(directory, name), 'utf8')) as LocalMail);
}

export interface ForwardedEvent extends DeliveredEvent {
  at: string;
  busArn: string;
  deliveryId: string;
}

export function readBusLog(channelDir: string): ForwardedEvent[] {
  const file = join(channelDir, 'eventbus.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ForwardedEvent);
}
