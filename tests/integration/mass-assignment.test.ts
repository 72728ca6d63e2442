import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { Route } from '#functions/http/route.ts';
import type { TestHub } from '../support/hub.ts';
import { fixtures, type World } from '../support/matrix-fixtures.ts';
import { startMatrixWorld, writeSpecs as writes } from '../support/matrix-world.ts';

/**
 * Property-level authorization (OWASP API3): a write takes exactly the fields its schema names. An
 * unknown field, or a field the server keeps for itself (ids, owners, status, times, revisions,
 * tallies), is refused with 400 problem+json naming it, and nothing changes; private fields never
 * reach those who may not see them.
 */
/** The top-level fields of an object schema, or of every option of a union of them. */
function fieldsOf(schema: z.ZodType | undefined): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodUnion) return (schema.options as z.ZodType[]).flatMap(fieldsOf);
  if (schema instanceof z.ZodPipe) return fieldsOf(schema.in as z.ZodType);
  return [];
}

/** Fields the server keeps for itself wherever they appear, besides those of the route's answer. */
const alwaysReadOnly = [
  'id',
  'owners',
  'status',
  'municipalityId',
  'createdAt',
  'updatedAt',
  'revision',
  'version',
];
const plausible: Record<string, unknown> = {
  id: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  owners: ['resident-amsterdam'],
  status: 'archived',
  municipalityId: 'ieper',
  createdAt: '2020-01-01T00:00:00.000Z',
  updatedAt: '2020-01-01T00:00:00.000Z',
  revision: 0,
  version: 1,
  finalTally: { ballots: 1000, counts: { o1: 1000 } },
};

/** What a caller must not set on this route: read-only fields of its answer and the usual suspects. */
function readOnlyFields(spec: Route['spec']): string[] {
  const answer = Object.entries(spec.responses).find(([status]) => Number(status) < 300)?.[1].schema;
  const settable = new Set(fieldsOf(spec.body));
  return [...new Set([...alwaysReadOnly, ...fieldsOf(answer)])].filter((field) => !settable.has(field));
}

let hub: TestHub;
let world: World;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ hub, world, stop } = await startMatrixWorld());
});
afterAll(() => stop());

describe('no mass assignment: every write refuses fields it does not take', () => {
  it('covers every write route', () => {
    expect(writes.filter((spec) => !fixtures[spec.operationId]?.[0]).map((spec) => spec.operationId)).toEqual(
      [],
    );
  });

  it.each(writes.map((spec) => ({ name: `${spec.method} ${spec.path} (${spec.operationId})`, spec })))(
    '$name',
    async ({ spec }) => {
      // Prepare
      const fixture = fixtures[spec.operationId]?.[0];
      if (!fixture) throw new Error(`No fixture for ${spec.operationId}`);
      const role = fixture.allowed[0] ?? 'anonymous';
      const call = await fixture.prepare(world, role);
      const token = call.token ?? world.token(role);
      const valid = (call.body ?? {}) as Record<string, unknown>;
      const fields = ['unexpectedField', ...readOnlyFields(spec)];
      const before = await hub.snapshot();
      // Act
      const answers = await Promise.all(
        fields.map((field) =>
          hub.api(spec.method, call.path, {
            token,
            body: { ...valid, [field]: plausible[field] ?? 1 },
          }),
        ),
      );
      // Assess: each answer is a 400 that names the field, and nothing was written.
      const verdicts = Object.fromEntries(
        fields.map((field, index) => {
          const answer = answers[index] as Awaited<ReturnType<TestHub['api']>>;
          const named = (answer.body?.errors ?? []).some((issue: { path: string }) => issue.path === field);
          const problem = answer.headers.get('content-type') === 'application/problem+json';
          return [
            field,
            answer.status === 400 && problem && named
              ? 'refused'
              : `${answer.status} ${JSON.stringify(answer.body)}`,
          ];
        }),
      );
      expect(verdicts).toEqual(Object.fromEntries(fields.map((field) => [field, 'refused'])));
      expect(await hub.snapshot()).toEqual(before);
    },
  );

  it('still accepts the valid body of each of those routes (the refusals are about the extra field)', async () => {
    const spec = writes.find((candidate) => candidate.operationId === 'updateInitiative') as Route['spec'];
    const call = await (fixtures.updateInitiative?.[0]?.prepare(world) ??
      Promise.reject(new Error('no fixture')));
    const answer = await hub.api(spec.method, call.path, { token: world.token('owner'), body: call.body });
    expect(answer.status).toBe(200);
    expect(answer.body.owners).toEqual(['organiser-noor']);
  });
});

describe('private fields stay with those who may see them', () => {
  const CONTACT = 'tuin@example.org';
  const outsiders = [
    'anonymous',
    'resident',
    'otherResident',
    'otherOwner',
    'staff',
    'otherStaff',
    'admin',
  ] as const;

  it("an initiative's owners and contact email: its owners only", async () => {
    const path = `/api/initiatives/${world.initiativeId}`;
    const own = await hub.api('GET', path, { token: world.token('owner') });
    expect(own.body).toMatchObject({ owners: ['organiser-noor'], contactEmail: CONTACT });
    for (const role of outsiders) {
      const answers = await Promise.all([
        hub.api('GET', path, { token: world.token(role) }),
        hub.api('GET', '/api/initiatives?municipality=amsterdam&limit=100', { token: world.token(role) }),
      ]);
      for (const answer of answers) {
        expect(answer.status, role).toBe(200);
        const text = JSON.stringify(answer.body);
        expect(text, role).not.toContain(CONTACT);
        expect(text, role).not.toContain('"owners"');
        expect(text, role).not.toContain('organiser-noor');
      }
    }
    // The public feeds carry events, which carry the public view only.
    await hub.settle();
    const feed = await hub.api('GET', '/feeds/amsterdam/bos-en-lommer.atom');
    expect(feed.status).toBe(200);
    expect(String(feed.body)).toContain('Matrixtuin');
    expect(String(feed.body)).not.toContain(CONTACT);
  });

  it("a webhook's signing secret: in the answer that makes or rotates it, and nowhere after", async () => {
    // Act
    const created = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: world.token('staff'),
      body: world.subscriptionBody('webhook'),
    });
    const rotated = await hub.api('POST', `/api/subscriptions/${created.body.id}/secret`, {
      token: world.token('staff'),
    });
    const reads = await Promise.all([
      hub.api('GET', `/api/subscriptions/${created.body.id}`, { token: world.token('staff') }),
      hub.api('GET', '/api/municipalities/amsterdam/subscriptions?limit=100', {
        token: world.token('staff'),
      }),
    ]);
    // Assess
    expect(created.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    for (const read of reads) {
      expect(read.status).toBe(200);
      const text = JSON.stringify(read.body);
      expect(text).not.toContain(created.body.secret);
      expect(text).not.toContain(rotated.body.secret);
      expect(text).not.toMatch(/"secret"|sealedSecret|whsec_/);
    }
  });

  it('a retried creation (same Idempotency-Key) answers as before, without the secret', async () => {
    const send = () =>
      hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
        token: world.token('staff'),
        body: world.subscriptionBody('webhook', '/hook/idempotent'),
        headers: { 'idempotency-key': 'mass-assignment-secret-1' },
      });
    const first = await send();
    const again = await send();
    expect(first.body.secret).toMatch(/^whsec_/);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.body).not.toHaveProperty('secret');
  });

  it('a report: staff see what was reported, never who reported it', async () => {
    const report = await hub.api('POST', '/api/reports', {
      token: world.token('resident'),
      body: { kind: 'initiative', targetId: world.initiativeId, category: 'other', text: 'Klopt dit adres?' },
    });
    const list = await hub.api('GET', '/api/municipalities/amsterdam/reports?limit=100', {
      token: world.token('staff'),
    });
    expect(report.status).toBe(201);
    expect(list.body.items).toContainEqual(expect.objectContaining({ id: report.body.id }));
    for (const text of [JSON.stringify(report.body), JSON.stringify(list.body)]) {
      expect(text).not.toContain('reporterId');
      expect(text).not.toContain('resident-amsterdam');
    }
  });

  it('a pending offer: the initiative’s owners and the offering municipality only', async () => {
    const pending = await world.offer();
    const path = `/api/initiatives/${world.initiativeId}/offers?limit=100`;
    const ids = async (role: (typeof outsiders)[number] | 'owner') =>
      ((await hub.api('GET', path, { token: world.token(role) })).body.items as { id: string }[]).map(
        (offer) => offer.id,
      );
    expect(await ids('owner')).toContain(pending.id);
    expect(await ids('staff')).toContain(pending.id);
    for (const role of outsiders.filter((role) => role !== 'staff')) {
      expect(await ids(role), role).not.toContain(pending.id);
    }
  });
});
