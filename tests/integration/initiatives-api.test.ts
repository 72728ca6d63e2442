import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let organiser: string;
let otherOrganiser: string;

const valid = {
  name: 'Buurtbibliotheek Bos en Lommer',
  summary: 'Een kast vol boeken op de hoek van de straat, voor iedereen.',
  municipalityId: 'amsterdam',
  neighbourhoodId: 'bos-en-lommer',
  language: 'nl',
  themes: ['reading'],
};

beforeAll(async () => {
  hub = await startTestHub();
  organiser = await hub.token('organiser-noor');
  otherOrganiser = await hub.token('organiser-pieter');
});
afterAll(() => hub.stop());

describe('POST /api/initiatives', () => {
  it('registers an initiative with the caller as owner, and lists it under its municipality', async () => {
    // Act
    const created = await hub.api('POST', '/api/initiatives', { token: organiser, body: valid });
    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/initiatives/${created.body.id}`);
    expect(created.body).toMatchObject({
      slug: 'buurtbibliotheek-bos-en-lommer',
      owners: ['organiser-noor'],
      status: 'published',
    });
    const listed = await hub.api(
      'GET',
      '/api/initiatives?municipality=amsterdam&neighbourhood=bos-en-lommer&limit=100',
    );
    expect(listed.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);
    expect(listed.body.items[0]).not.toHaveProperty('owners');
  });

  it('answers 400 naming every bad field, and changes nothing', async () => {
    // Prepare
    const before = await hub.snapshot();
    // Act
    const response = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: {
        summary: 42,
        municipalityId: 'atlantis',
        language: 'nl',
        description: 'x'.repeat(1_000_000),
        owners: ['me'],
      },
    });
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const paths = response.body.errors.map((error: { path: string }) => error.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'name',
        'summary',
        'description',
        'owners',
        'municipalityId',
        'neighbourhoodId',
      ]),
    );
    expect(await hub.snapshot()).toEqual(before);
  });

  it('refuses a neighbourhood of another municipality', async () => {
    const response = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: { ...valid, neighbourhoodId: 'zillebeke' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      { path: 'neighbourhoodId', message: 'not a neighbourhood of Amsterdam' },
    ]);
  });

  it('answers 401 without a token and with a forged one', async () => {
    const before = await hub.snapshot();
    expect((await hub.api('POST', '/api/initiatives', { body: valid })).status).toBe(401);
    const [header, payload] = organiser.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    expect((await hub.api('POST', '/api/initiatives', { token: forged, body: valid })).status).toBe(401);
    expect(await hub.snapshot()).toEqual(before);
  });

  it('gives a replayed Idempotency-Key the first answer and creates nothing twice', async () => {
    // Prepare
    const headers = { 'idempotency-key': 'register-once-0001' };
    const body = { ...valid, name: 'Zaterdagmarkt De Baarsjes', neighbourhoodId: 'de-baarsjes' };
    // Act
    const first = await hub.api('POST', '/api/initiatives', { token: organiser, body, headers });
    const afterFirst = await hub.snapshot();
    const again = await hub.api('POST', '/api/initiatives', { token: organiser, body, headers });
    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await hub.snapshot()).toEqual(afterFirst);
    const reused = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: { ...body, name: 'Iets anders' },
      headers,
    });
    expect(reused.status).toBe(422);
  });

  it('gives two initiatives with the same name different slugs', async () => {
    const body = { ...valid, name: 'Samen Koken' };
    const first = await hub.api('POST', '/api/initiatives', { token: organiser, body });
    const second = await hub.api('POST', '/api/initiatives', {
      token: otherOrganiser,
      body: { ...body, municipalityId: 'ieper', neighbourhoodId: 'centrum' },
    });
    expect(first.body.slug).toBe('samen-koken');
    expect(second.status).toBe(201);
    expect(second.body.slug).toMatch(/^samen-koken-[0-9a-z]{6}$/);
    expect((await hub.api('GET', `/api/initiatives/${second.body.slug}`)).body.id).toBe(second.body.id);
  });
});

describe('PATCH and archive', () => {
  it('lets only owners change an initiative; a non-owner gets 403 and nothing changes', async () => {
    // Prepare
    const created = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: { ...valid, name: 'Plantenruil' },
    });
    const before = await hub.snapshot();
    // Act
    const denied = await hub.api('PATCH', `/api/initiatives/${created.body.id}`, {
      token: otherOrganiser,
      body: { summary: 'Overgenomen door iemand anders, zomaar.' },
    });
    // Assess
    expect(denied.status).toBe(403);
    expect(await hub.snapshot()).toEqual(before);
    const allowed = await hub.api('PATCH', `/api/initiatives/${created.body.id}`, {
      token: organiser,
      body: { summary: 'Stekjes ruilen op het plein, elke zondag.' },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toMatchObject({ summary: 'Stekjes ruilen op het plein, elke zondag.', revision: 1 });
  });

  it('refuses read-only and unknown fields in a PATCH', async () => {
    const created = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: { ...valid, name: 'Buurtkoor' },
    });
    const response = await hub.api('PATCH', `/api/initiatives/${created.body.id}`, {
      token: organiser,
      body: { owners: ['organiser-pieter'], status: 'archived', municipalityId: 'ieper' },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'municipalityId',
      'owners',
      'status',
    ]);
  });

  it('archives: the initiative leaves the list, its page stays, a second archive is a 409', async () => {
    const created = await hub.api('POST', '/api/initiatives', {
      token: organiser,
      body: { ...valid, name: 'Zomerschool' },
    });
    const archived = await hub.api('POST', `/api/initiatives/${created.body.id}/archive`, {
      token: organiser,
    });
    expect(archived.status).toBe(200);
    expect(archived.body.status).toBe('archived');
    const listed = await hub.api('GET', '/api/initiatives?municipality=amsterdam&limit=100');
    expect(listed.body.items.map((item: { id: string }) => item.id)).not.toContain(created.body.id);
    expect((await hub.api('GET', `/api/initiatives/${created.body.slug}`)).body.status).toBe('archived');
    expect(
      (await hub.api('POST', `/api/initiatives/${created.body.id}/archive`, { token: organiser })).status,
    ).toBe(409);
  });
});

describe('reading', () => {
  it('pages with an opaque cursor through every initiative once', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await hub.api('GET', `/api/initiatives?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await hub.api('GET', '/api/initiatives?limit=100');
    expect(seen).toEqual(all.body.items.map((item: { id: string }) => item.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('filters by theme and by words, accents folded', async () => {
    const byTheme = await hub.api('GET', '/api/initiatives?theme=reading&limit=100');
    expect(byTheme.body.items.length).toBeGreaterThan(0);
    expect(byTheme.body.items.every((item: { themes: string[] }) => item.themes.includes('reading'))).toBe(
      true,
    );
    const byWords = await hub.api('GET', `/api/initiatives?q=${encodeURIComponent('SOKAK senligi')}`);
    expect(byWords.body.items.map((item: { name: string }) => item.name)).toEqual(['Yakuplu Sokak Şenliği']);
  });

  it('refuses a cursor from another list', async () => {
    const page = await hub.api('GET', '/api/initiatives?limit=1');
    const response = await hub.api(
      'GET',
      `/api/initiatives?municipality=ieper&cursor=${page.body.nextCursor}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('cursor');
  });

  it('lists municipalities with their neighbourhoods and serves OpenAPI 3.1 of every route', async () => {
    const municipalities = await hub.api('GET', '/api/municipalities');
    expect(municipalities.body.items.map((m: { id: string }) => m.id)).toEqual([
      'amsterdam',
      'beylikduzu',
      'ieper',
    ]);
    const openapi = await hub.api('GET', '/api/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/initiatives',
        '/api/initiatives/{id}',
        '/api/initiatives/{id}/archive',
        '/api/municipalities',
        '/api/health',
      ]),
    );
    expect(
      openapi.body.paths['/api/initiatives'].post.requestBody.content['application/json'].schema,
    ).toBeDefined();
  });

  it('answers an unknown initiative and an unknown route with 404 problem+json', async () => {
    expect((await hub.api('GET', '/api/initiatives/01ARZ3NDEKTSV4RRFFQ69G5FAV')).status).toBe(404);
    const route = await hub.api('GET', '/api/nothing-here');
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toBe('application/problem+json');
  });
});
