import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { DynamoPolls } from '../../functions/adapters/dynamodb/polls.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

const VOTERS = 200;
const neighbourhoods = ['bos-en-lommer', 'de-baarsjes', 'oud-west', 'indische-buurt', 'nieuwendam'];

let hub: TestHub;
let polls: DynamoPolls;
let pollId: string;
const voters: { id: string; token: string; changes: boolean }[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  polls = new DynamoPolls(
    createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint }),
    hub.tableName,
  );
  const now = Date.now();
  const created = await hub.api('POST', '/api/polls', {
    token: await hub.token('staff-amsterdam'),
    body: {
      owner: { kind: 'municipality', municipalityId: 'amsterdam' },
      language: 'nl',
      question: 'Welke kleur krijgen de nieuwe bankjes in de stad?',
      options: ['Groen', 'Blauw', 'Rood', 'Geel'],
      audience: { scope: 'municipality' },
      opensAt: new Date(now - 1000).toISOString(),
      closesAt: new Date(now + 3_600_000).toISOString(),
    },
  });
  expect(created.status).toBe(201);
  pollId = created.body.id;
  // Minted residents: ids unlike any other text in the table, so that a search for them means something.
  const minted = await Promise.all(
    Array.from({ length: VOTERS }, async (_, index) => {
      const id = `resident-${randomUUID()}`;
      const token = await hub.token(id, {
        municipalityId: 'amsterdam',
        neighbourhoodId: neighbourhoods[index % neighbourhoods.length] as string,
      });
      return { id, token, changes: index % 2 === 0 };
    }),
  );
  voters.push(...minted);
});
afterAll(() => hub.stop());

const option = (index: number) => `o${(index % 4) + 1}`;
const vote = (token: string, choice: string) =>
  hub.api('PUT', `/api/polls/${pollId}/ballot`, { token, body: { choices: [choice] } });

describe('many residents voting at once', () => {
  it('counts one ballot per voter, exactly: the tally equals the recount and every voter’s own ballot', async () => {
    // Act: every voter at once; half of them change their ballot twice, the two changes racing each other.
    const statuses = await Promise.all(
      voters.map(async (voter, index) => {
        const first = await vote(voter.token, option(index));
        if (!voter.changes) return [first.status];
        const changes = await Promise.all([
          vote(voter.token, option(index + 1)),
          vote(voter.token, option(index + 2)),
        ]);
        return [first.status, ...changes.map((change) => change.status)];
      }),
    );
    // Assess
    expect(statuses.flat().every((status) => status === 200)).toBe(true);
    const own = await Promise.all(
      voters.map(async (voter) => {
        const ballot = await hub.api('GET', `/api/polls/${pollId}/ballot`, { token: voter.token });
        expect(ballot.status).toBe(200);
        return ballot.body.choices as string[];
      }),
    );
    voters.forEach((voter, index) => {
      const expected = voter.changes ? [option(index + 1), option(index + 2)] : [option(index)];
      expect(expected).toContain(own[index]?.[0]);
    });
    const fromVoters: Record<string, number> = { o1: 0, o2: 0, o3: 0, o4: 0 };
    for (const choices of own)
      for (const choice of choices) fromVoters[choice] = (fromVoters[choice] ?? 0) + 1;

    const results = await hub.api('GET', `/api/polls/${pollId}/results`);
    const recount = await polls.recount(pollId);
    expect(results.body).toMatchObject({ status: 'open', ballots: VOTERS, tally: fromVoters });
    expect(recount).toEqual({ ballots: VOTERS, counts: fromVoters });
    expect(await polls.tally(pollId)).toEqual(recount);
  }, 90_000);

  it('stores no voter id, nor any encoding of it, anywhere in the table', async () => {
    // Prepare
    const items = await hub.snapshot();
    const serialized = items.map((item) => JSON.stringify(item));
    const ballots = items.filter((item) => item.type === 'Ballot');
    // Assess
    expect(ballots.filter((ballot) => String(ballot.pk).includes(pollId))).toHaveLength(VOTERS);
    for (const ballot of ballots)
      expect(Object.keys(ballot).sort()).toEqual(['choices', 'pk', 'revision', 'sk', 'type']);
    const hits: string[] = [];
    for (const voter of voters) {
      const bytes = Buffer.from(voter.id, 'utf8');
      const forms = [
        voter.id,
        voter.id.slice('resident-'.length),
        voter.id.slice('resident-'.length).replaceAll('-', ''),
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('hex'),
        bytes.toString('hex').toUpperCase(),
        encodeURIComponent(voter.id),
      ];
      for (const text of serialized) {
        for (const form of forms) if (text.includes(form)) hits.push(`${form} in ${text.slice(0, 120)}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
