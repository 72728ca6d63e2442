import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { type Fixture, fixtures, type Role, roles, type World } from '../support/matrix-fixtures.ts';
import { routeSpecs as routes, startMatrixWorld } from '../support/matrix-world.ts';
import { invalidItems } from '../support/stored-items.ts';

/**
 * Every route of the API against every kind of caller (OWASP API1): the routes are read from the
 * route groups, so a route added later fails here until it has a fixture. A refused call answers
 * 401, 403 or 404 as problem+json and changes nothing in the table; an allowed one succeeds.
 */
let hub: TestHub;
let world: World;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ hub, world, stop } = await startMatrixWorld());
});
afterAll(() => stop());

type Answer = Awaited<ReturnType<TestHub['api']>>;

/**
 * What a cell of the matrix shows: `allowed`, `refused` (problem+json: 401 or 404 for the anonymous,
 * 403 or 404 for the signed in, whose token is fine) or what went wrong.
 */
function outcome(answer: Answer, role: Role): string {
  if (answer.status >= 200 && answer.status < 300) return 'allowed';
  const problem = answer.headers.get('content-type') === 'application/problem+json';
  const refusals = role === 'anonymous' ? [401, 404] : [403, 404];
  if (refusals.includes(answer.status) && problem) return 'refused';
  return `unexpected ${answer.status}: ${JSON.stringify(answer.body)}`;
}

const expectedRow = (fixture: Fixture) =>
  Object.fromEntries(
    roles.map((role) => {
      if (!fixture.allowed.includes(role)) return [role, 'refused'];
      if (!fixture.privateTo) return [role, 'allowed'];
      return [
        role,
        fixture.privateTo.roles.includes(role) ? 'allowed, private parts' : 'allowed, public view',
      ];
    }),
  );

async function readRow(method: string, fixture: Fixture) {
  const call = await fixture.prepare(world);
  const answers = await Promise.all(
    roles.map((role) => hub.api(method, call.path, { token: world.token(role) })),
  );
  return Object.fromEntries(
    roles.map((role, index) => {
      const answer = answers[index] as Answer;
      const result = outcome(answer, role);
      if (result !== 'allowed' || !fixture.privateTo) return [role, result];
      return [
        role,
        fixture.privateTo.shows(answer.body, call) ? 'allowed, private parts' : 'allowed, public view',
      ];
    }),
  );
}

/** Refused calls first, all against one target, with the table compared before and after; then each allowed role on a fresh target. */
async function writeRow(method: string, fixture: Fixture) {
  const row: Record<string, string> = {};
  const refused = roles.filter((role) => !fixture.allowed.includes(role));
  const call = await fixture.prepare(world);
  const before = await hub.snapshot();
  const answers = await Promise.all(
    refused.map((role) => hub.api(method, call.path, { token: world.token(role), body: call.body })),
  );
  refused.forEach((role, index) => {
    row[role] = outcome(answers[index] as Answer, role);
  });
  expect(await hub.snapshot(), 'a refused call changed the table').toEqual(before);
  for (const role of fixture.allowed) {
    const fresh = await fixture.prepare(world, role);
    const token = fresh.token ?? world.token(role);
    row[role] = outcome(await hub.api(method, fresh.path, { token, body: fresh.body }), role);
  }
  return Object.fromEntries(roles.map((role) => [role, row[role]]));
}

describe('authorization matrix: every route against every role', () => {
  it('has a fixture for every route, and none for a route that does not exist', () => {
    const operations = routes.map((route) => route.operationId);
    expect(operations.filter((operation) => !fixtures[operation])).toEqual([]);
    expect(Object.keys(fixtures).filter((operation) => !operations.includes(operation))).toEqual([]);
  });

  const cells = routes
    .flatMap((route) =>
      (fixtures[route.operationId] ?? [undefined]).map((fixture) => ({
        name: `${route.method} ${route.path} (${route.operationId}${fixture?.variant ? `, ${fixture.variant}` : ''})`,
        route,
        fixture,
      })),
    )
    // Deleting accounts comes last: the people who did it are gone.
    .sort((a, b) => Number(a.fixture?.last ?? false) - Number(b.fixture?.last ?? false));

  it.each(cells)('$name', async ({ route, fixture }) => {
    if (!fixture)
      throw new Error(`No fixture for ${route.operationId}: add it to tests/support/matrix-fixtures.ts`);
    const row =
      route.method === 'GET' ? await readRow('GET', fixture) : await writeRow(route.method, fixture);
    expect(row).toEqual(expectedRow(fixture));
  });

  it('left only valid items in the table after all the allowed calls', async () => {
    expect(invalidItems(await hub.snapshot({ rateCounters: true }))).toEqual([]);
  });
});
