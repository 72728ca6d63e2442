import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/pipes/outbox-enrichment.ts';

describe('the outbox Pipe enrichment', () => {
  it('turns a stream record of an outbox insert into its event, nested maps and lists unmarshalled', async () => {
    // Prepare: the shape a Pipe hands its enrichment (DynamoDB stream records, typed JSON).
    const detail = {
      eventId: '01JAAAAAAAAAAAAAAAAAAAAAAA',
      version: 1,
      occurredAt: '2026-03-01T12:00:00.000Z',
      municipalityId: 'ieper',
      data: { themes: ['food'], links: {}, count: 3 },
    };
    const record = {
      eventName: 'INSERT',
      dynamodb: {
        NewImage: marshall({
          pk: 'OUTBOX#01JAAAAAAAAAAAAAAAAAAAAAAA',
          sk: 'OUTBOX',
          source: 'plein.initiatives',
          detailType: 'InitiativeRegistered',
          detail,
        }),
      },
    };
    // Act
    const [event] = await handler([record as never]);
    // Assess
    expect(event).toEqual({
      source: 'plein.initiatives',
      detailType: 'InitiativeRegistered',
      time: '2026-03-01T12:00:00.000Z',
      detail,
    });
  });
});
