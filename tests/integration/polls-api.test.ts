import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let staff: string;
let otherStaff: string;
let organiser: string;
let otherOrganiser: string;
let resident: string;
let neighbour: string;
let outsider: string;
let initiativeId: string;

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

const municipal = {
  owner: { kind: 'municipality', municipalityId: 'amsterdam' },
  language: 'nl',
  question: 'Waar moeten de nieuwe fietsenrekken komen?',
  options: ['Bij het metrostation', 'Bij de bibliotheek', 'Op het Bos en Lommerplein'],
  audience: { scope: 'neighbourhoods', neighbourhoodIds: ['bos-en-lommer'] },
  opensAt: inHours(-1),
  closesAt: inHours(24),
};

const create = (body: unknown, token = staff, headers: Record<string, string> = {}) =>
  hub.api('POST', '/api/polls', { token, body, headers });
const vote = (id: string, token: string, choices: unknown) =>
  hub.api('PUT', `/api/polls/${id}/ballot`, { token, body: { choices } });

beforeAll(async () => {
  hub = await startTestHub();
  [staff, otherStaff, organiser, otherOrganiser, resident] = await Promise.all([
    hub.token('staff-amsterdam'),
    hub.token('staff-ieper'),
    hub.token('organiser-noor'),
    hub.token('organiser-pieter'),
    hub.token('resident-amsterdam'),
  ]);
  neighbour = await hub.token(`resident-${randomUUID()}`, {
    municipalityId: 'amsterdam',
    neighbourhoodId: 'de-baarsjes',
  });
  outsider = await hub.token(`resident-${randomUUID()}`, {
    municipalityId: 'ieper',
    neighbourhoodId: 'centrum',
  });
  initiativeId = (await hub.api('GET', '/api/initiatives/straatdiners-bos-en-lommer')).body.id;
});
afterAll(() => hub.stop());

describe('POST /api/polls', () => {
  it("lets a municipality's staff create a poll: a draft until opensAt, seen by its owners only", async () => {
    // Act
    const created = await create({ ...municipal, opensAt: inHours(2) });
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/polls/${created.body.id}`);
    expect(created.body).toMatchObject({
      status: 'draft',
      municipalityId: 'amsterdam',
      choice: 'single',
      maxChoices: 1,
      resultsVisibility: 'live',
      options: [
        { id: 'o1', label: 'Bij het metrostation' },
        { id: 'o2', label: 'Bij de bibliotheek' },
        { id: 'o3', label: 'Op het Bos en Lommerplein' },
      ],
    });
    expect((await hub.api('GET', `/api/polls/${created.body.id}`, { token: staff })).status).toBe(200);
    expect((await hub.api('GET', `/api/polls/${created.body.id}`, { token: resident })).status).toBe(404);
    expect((await hub.api('GET', `/api/polls/${created.body.id}`)).status).toBe(404);
    const drafts = await hub.api('GET', '/api/polls?municipality=amsterdam&status=draft', { token: staff });
    expect(drafts.body.items.map((poll: { id: string }) => poll.id)).toContain(created.body.id);
    expect(
      (await hub.api('GET', '/api/polls?municipality=amsterdam&status=draft', { token: resident })).status,
    ).toBe(403);
    const listed = await hub.api('GET', '/api/polls?municipality=amsterdam&limit=100');
    expect(listed.body.items.map((poll: { id: string }) => poll.id)).not.toContain(created.body.id);
  });

  it("opens at once when opensAt has come, and lets an initiative's owners poll, and nobody else", async () => {
    const open = await create(municipal);
    expect(open.body.status).toBe('open');
    const body = {
      ...municipal,
      owner: { kind: 'initiative', initiativeId },
      question: 'Welk thema krijgt het straatdiner in juli?',
      options: ['Zomerfruit', 'Barbecue'],
    };
    expect((await create(body, organiser)).status).toBe(201);
    const before = await hub.snapshot();
    expect((await create(body, otherOrganiser)).status).toBe(403);
    expect((await create(body, staff)).status).toBe(403);
    expect((await create(municipal, otherStaff)).status).toBe(403);
    expect((await create(municipal, organiser)).status).toBe(403);
    expect((await hub.api('POST', '/api/polls', { body: municipal })).status).toBe(401);
    expect(await hub.snapshot()).toEqual(before);
  });

  it('answers 400 naming every bad field, and changes nothing', async () => {
    // Prepare
    const before = await hub.snapshot();
    // Act
    const response = await create({
      ...municipal,
      options: ['Alleen dit'],
      maxChoices: 2,
      audience: { scope: 'neighbourhoods', neighbourhoodIds: ['bos-en-lommer', 'zillebeke'] },
      opensAt: inHours(3),
      closesAt: inHours(2),
      resultsVisibility: 'never',
      voters: ['me'],
    });
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'audience.neighbourhoodIds.1',
      'options',
      'resultsVisibility',
      'voters',
    ]);
    const times = await create({
      ...municipal,
      choice: 'multiple',
      maxChoices: 4,
      opensAt: inHours(3),
      closesAt: inHours(2),
    });
    expect(times.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'closesAt',
      'maxChoices',
    ]);
    const past = await create({ ...municipal, opensAt: inHours(-3), closesAt: inHours(-2) });
    expect(past.body.errors).toEqual([{ path: 'closesAt', message: 'must be in the future' }]);
    expect(await hub.snapshot()).toEqual(before);
  });

  it('gives a replayed Idempotency-Key the first answer and creates one poll', async () => {
    const headers = { 'idempotency-key': `poll-once-${randomUUID()}` };
    const first = await create(municipal, staff, headers);
    const again = await create(municipal, staff, headers);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('ballots', () => {
  it('counts a ballot, and a second one replaces it; the voter alone sees their own', async () => {
    // Prepare
    const poll = (await create(municipal)).body;
    expect((await hub.api('GET', `/api/polls/${poll.id}/ballot`, { token: resident })).status).toBe(404);
    // Act
    const first = await vote(poll.id, resident, ['o1']);
    const second = await vote(poll.id, resident, ['o3']);
    // Assess
    expect(first.body).toEqual({ pollId: poll.id, choices: ['o1'], replaced: false });
    expect(second.body).toEqual({ pollId: poll.id, choices: ['o3'], replaced: true });
    expect((await hub.api('GET', `/api/polls/${poll.id}/ballot`, { token: resident })).body).toEqual({
      pollId: poll.id,
      choices: ['o3'],
    });
    const results = await hub.api('GET', `/api/polls/${poll.id}/results`);
    expect(results.body).toEqual({
      pollId: poll.id,
      status: 'open',
      resultsVisibility: 'live',
      ballots: 1,
      tally: { o1: 0, o2: 0, o3: 1 },
      final: false,
    });
  });

  it('refuses a ballot for a draft or closed poll, an unknown option, too many choices or from outside the audience, and changes nothing', async () => {
    // Prepare
    const open = (await create({ ...municipal, choice: 'multiple', maxChoices: 2 })).body;
    const draft = (await create({ ...municipal, opensAt: inHours(1) })).body;
    const closed = (await create(municipal)).body;
    await hub.api('POST', `/api/polls/${closed.id}/close`, { token: staff });
    const before = await hub.snapshot();
    // Act
    const answers = {
      draft: await vote(draft.id, resident, ['o1']),
      closed: await vote(closed.id, resident, ['o1']),
      unknown: await vote(open.id, resident, ['o1', 'o9']),
      tooMany: await vote(open.id, resident, ['o1', 'o2', 'o3']),
      twice: await vote(open.id, resident, ['o2', 'o2']),
      none: await vote(open.id, resident, []),
      otherNeighbourhood: await vote(open.id, neighbour, ['o1']),
      otherMunicipality: await vote(open.id, outsider, ['o1']),
      staff: await vote(open.id, staff, ['o1']),
      anonymous: await hub.api('PUT', `/api/polls/${open.id}/ballot`, { body: { choices: ['o1'] } }),
    };
    // Assess
    expect(
      Object.fromEntries(Object.entries(answers).map(([name, answer]) => [name, answer.status])),
    ).toEqual({
      draft: 404,
      closed: 409,
      unknown: 400,
      tooMany: 400,
      twice: 400,
      none: 400,
      otherNeighbourhood: 403,
      otherMunicipality: 403,
      staff: 403,
      anonymous: 401,
    });
    for (const answer of Object.values(answers)) {
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    expect(answers.unknown.body.errors).toEqual([
      { path: 'choices.1', message: 'is not an option of this poll' },
    ]);
    expect(answers.tooMany.body.errors).toEqual([
      { path: 'choices', message: 'this poll takes at most 2 choices' },
    ]);
    expect(await hub.snapshot()).toEqual(before);
  });
});

describe('opening, closing and results', () => {
  it('lets the owner open early and close early: the final tally is sealed, a second close is a 409', async () => {
    // Prepare
    const poll = (await create({ ...municipal, opensAt: inHours(1), resultsVisibility: 'after-close' })).body;
    expect((await hub.api('POST', `/api/polls/${poll.id}/open`, { token: otherStaff })).status).toBe(404);
    // Act
    const opened = await hub.api('POST', `/api/polls/${poll.id}/open`, { token: staff });
    await vote(poll.id, resident, ['o2']);
    const hidden = await hub.api('GET', `/api/polls/${poll.id}/results`);
    expect((await hub.api('POST', `/api/polls/${poll.id}/close`, { token: otherStaff })).status).toBe(403);
    const closed = await hub.api('POST', `/api/polls/${poll.id}/close`, { token: staff });
    // Assess
    expect(opened.status).toBe(200);
    expect(opened.body.status).toBe('open');
    expect((await hub.api('POST', `/api/polls/${poll.id}/open`, { token: staff })).status).toBe(409);
    expect(hidden.body).toMatchObject({ status: 'open', ballots: 1, tally: null, final: false });
    expect(hidden.body.note).toMatch(/after it closes/);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({
      status: 'closed',
      finalTally: { ballots: 1, counts: { o1: 0, o2: 1, o3: 0 } },
    });
    expect((await hub.api('GET', `/api/polls/${poll.id}/results`)).body).toMatchObject({
      status: 'closed',
      final: true,
      ballots: 1,
      tally: { o1: 0, o2: 1, o3: 0 },
    });
    expect((await hub.api('POST', `/api/polls/${poll.id}/close`, { token: staff })).status).toBe(409);
  });

  it('lists by neighbourhood (with the municipality-wide polls) and by status, paging with a cursor', async () => {
    // Prepare
    const everyone = (await create({ ...municipal, audience: { scope: 'municipality' } })).body;
    const elsewhere = (
      await create({ ...municipal, audience: { scope: 'neighbourhoods', neighbourhoodIds: ['de-baarsjes'] } })
    ).body;
    const here = (await create(municipal)).body;
    // Act
    const seen: { id: string; status: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await hub.api(
        'GET',
        `/api/polls?municipality=amsterdam&neighbourhood=bos-en-lommer&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    // Assess
    const ids = seen.map((poll) => poll.id);
    expect(ids).toEqual(expect.arrayContaining([everyone.id, here.id]));
    expect(ids).not.toContain(elsewhere.id);
    expect(new Set(ids).size).toBe(ids.length);
    const statuses = seen.map((poll) => poll.status);
    expect(statuses).toEqual([...statuses].sort().reverse());
    const closed = await hub.api('GET', '/api/polls?status=closed');
    expect(closed.body.items.length).toBeGreaterThan(0);
    expect(closed.body.items.every((poll: { status: string }) => poll.status === 'closed')).toBe(true);
    expect((await hub.api('GET', '/api/polls?neighbourhood=bos-en-lommer')).status).toBe(400);
    expect((await hub.api('GET', '/api/polls?municipality=amsterdam&cursor=bm9wZQ')).status).toBe(400);
  });

  it('describes every poll route in the OpenAPI document', async () => {
    const document = await hub.api('GET', '/api/openapi.json');
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/polls',
        '/api/polls/{id}',
        '/api/polls/{id}/ballot',
        '/api/polls/{id}/results',
      ]),
    );
    expect(Object.keys(document.body.paths['/api/polls/{id}/ballot'])).toEqual(['put', 'get']);
  });
});
