import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import type { Initiative } from '#shared/domain/initiative.ts';
import { ContentHidden } from '#shared/domain/moderation.ts';
import { hideNotice } from '#shared/domain/moderation-notice.ts';
import { channelConfig } from '../adapters/channels/config.ts';
import { mailSenderFor } from '../adapters/channels/mail.ts';
import { DynamoFacilitationRepository } from '../adapters/dynamodb/facilitation.ts';
import { DynamoInitiativeRepository } from '../adapters/dynamodb/initiatives.ts';
import { DynamoPolls } from '../adapters/dynamodb/polls.ts';
import { DynamoProcessedEvents } from '../adapters/dynamodb/processed.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

const CONSUMER = 'moderation-notices';

function build() {
  const { client, tableName } = table();
  const config = channelConfig();
  return {
    initiatives: new DynamoInitiativeRepository(client, tableName),
    facilitation: new DynamoFacilitationRepository(client, tableName),
    polls: new DynamoPolls(client, tableName),
    processed: new DynamoProcessedEvents(client, tableName),
    mail: mailSenderFor(config),
    baseUrl: config.PUBLIC_BASE_URL,
  };
}
let deps: ReturnType<typeof build> | undefined;

/** The initiative that answers for the item, and the item's name; none for a municipality's own poll. */
async function ownerOf(
  d: ReturnType<typeof build>,
  target: { kind: 'initiative' | 'request' | 'poll'; id: string },
): Promise<{ initiative: Initiative; name: string } | undefined> {
  switch (target.kind) {
    case 'initiative': {
      const initiative = await d.initiatives.get(target.id);
      return initiative && { initiative, name: initiative.name };
    }
    case 'request': {
      const request = await d.facilitation.getRequest(target.id);
      const initiative = request && (await d.initiatives.get(request.initiativeId));
      return initiative && { initiative, name: request.text.slice(0, 80) };
    }
    case 'poll': {
      const poll = await d.polls.get(target.id);
      if (poll?.owner.kind !== 'initiative') return undefined;
      const initiative = await d.initiatives.get(poll.owner.initiativeId);
      return initiative && { initiative, name: poll.question };
    }
  }
}

/**
 * Tells a hidden item's owners, by email to their initiative's contact address, that it was hidden and
 * why. At least once: an event already handled sends nothing; a crash between sending and marking may
 * send twice, and the mail's delivery id (the event id) lets a filter drop the repeat.
 */
export const handler = middy<EventBridgeEvent<string, unknown>, { sent: number }>().handler(async (event) => {
  const detail = ContentHidden.detail.parse(event.detail);
  deps ??= build();
  if (await deps.processed.handled(CONSUMER, detail.eventId)) return { sent: 0 };
  const owner = await ownerOf(deps, detail.data.target);
  const to = owner?.initiative.contactEmail;
  if (owner && to) {
    const link = deps.baseUrl
      ? `${new URL(`/${owner.initiative.language}/initiatives/${owner.initiative.slug}`, deps.baseUrl)}`
      : undefined;
    const notice = hideNotice(
      owner.initiative.language,
      detail.data.target.kind,
      owner.name,
      detail.data.reason,
      link,
    );
    await deps.mail.send({ to, ...notice, deliveryId: detail.eventId });
  }
  await deps.processed.markHandled(CONSUMER, detail.eventId);
  return { sent: owner && to ? 1 : 0 };
});
