import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '#functions/http/route.ts';
import type { TestHub } from '../support/hub.ts';
import { fixtures, type World } from '../support/matrix-fixtures.ts';
import { startMatrixWorld, writeSpecs as writes } from '../support/matrix-world.ts';
import { invalidItems } from '../support/stored-items.ts';

/**
 * Random JSON at every write route, as a caller allowed to write there: whatever arrives, the answer
 * is a 2xx or a 4xx problem+json, never a 5xx, and afterwards every item in the table is valid.
 * The seed is fixed, so a failure is reproduced by running the file again; FUZZ_SEED and FUZZ_RUNS
 * explore further (`FUZZ_SEED=$RANDOM FUZZ_RUNS=300 npx vitest run tests/integration/fuzz.test.ts`).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_123);
const RUNS_PER_ROUTE = Number(process.env.FUZZ_RUNS ?? 30);

/** Text that breaks things: lone surrogates, control and zero-width characters, right-to-left marks, NUL. */
const nastyText = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '\ud800',
    'a\udfffb',
    '\u0000',
    '\u202e\u200b',
    '𝕻𝖑𝖊𝖎𝖓',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    '',
  ),
);
const hugeText = fc.integer({ min: 10_000, max: 300_000 }).map((length) => 'ä'.repeat(length));
const deep = fc
  .integer({ min: 50, max: 1_000 })
  .map((depth) => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`));
/** Nesting deeper than JSON.stringify goes, written as text: in a field, or as the whole body. */
const deepText = (field: string) =>
  fc
    .tuple(fc.integer({ min: 5_000, max: 200_000 }), fc.constantFrom('[]', '{"a":}'), fc.boolean())
    .map(([depth, kind, inField]) => {
      const [open, close] = kind === '[]' ? ['[', ']'] : ['{"a":', '}'];
      const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
      return inField ? `{${JSON.stringify(field)}:${nested}}` : nested;
    });
const anyValue = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyText },
  { weight: 1, arbitrary: hugeText },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, [], {}) },
);

/** A valid body with one thing wrong: a field of the wrong kind, a field gone, or a field too many. */
function mutationsOf(valid: Record<string, unknown>) {
  const fields = Object.keys(valid);
  const replaced =
    fields.length > 0
      ? fc.tuple(fc.constantFrom(...fields), anyValue).map(([field, value]) => ({ ...valid, [field]: value }))
      : fc.constant(valid);
  const dropped =
    fields.length > 0
      ? fc
          .constantFrom(...fields)
          .map((field) => Object.fromEntries(Object.entries(valid).filter(([key]) => key !== field)))
      : fc.constant({});
  const extra = fc
    .dictionary(fc.string({ maxLength: 20 }), anyValue, { minKeys: 1, maxKeys: 3 })
    .map((more) => ({ ...valid, ...more }));
  return fc.oneof(replaced, dropped, extra);
}

/** What is sent: JSON text (a mutated valid body, or any JSON value at all) or text that is not JSON. */
function bodies(valid: unknown) {
  const object = typeof valid === 'object' && valid !== null ? (valid as Record<string, unknown>) : {};
  return fc.oneof(
    { weight: 5, arbitrary: mutationsOf(object).map((body) => JSON.stringify(body)) },
    { weight: 3, arbitrary: anyValue.map((body) => JSON.stringify(body) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: deepText(Object.keys(object)[0] ?? 'a') },
    { weight: 1, arbitrary: fc.constant(`"${'x'.repeat(MAX_BODY_BYTES)}"`) },
  );
}

let hub: TestHub;
let world: World;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ hub, world, stop } = await startMatrixWorld());
});
afterAll(() => stop());

describe('fuzzing every write route', () => {
  it.each(writes.map((spec) => ({ name: `${spec.method} ${spec.path} (${spec.operationId})`, spec })))(
    '$name answers 2xx or 4xx problem+json, never 5xx',
    async ({ spec }) => {
      const fixture = fixtures[spec.operationId]?.[0];
      if (!fixture)
        throw new Error(`No fixture for ${spec.operationId}: add it to tests/support/matrix-fixtures.ts`);
      const role = fixture.allowed[0] ?? 'anonymous';
      const call = await fixture.prepare(world, role);
      const token = call.token ?? world.token(role);
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(bodies(call.body), async (body) => {
          const answer = await hub.api(spec.method, call.path, {
            token,
            body,
            headers: { 'content-type': 'application/json' },
          });
          statuses.add(answer.status);
          const ok = answer.status >= 200 && answer.status < 300;
          const refused =
            answer.status >= 400 &&
            answer.status < 500 &&
            answer.headers.get('content-type') === 'application/problem+json';
          expect(ok || refused, `${answer.status} ${JSON.stringify(answer.body)?.slice(0, 500)}`).toBe(true);
        }),
        { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      if (process.env.FUZZ_RUNS) console.log(spec.operationId, [...statuses].sort().join(' '));
      // Random input is mostly refused: a property that never reached validation would prove nothing.
      expect([...statuses].some((status) => status === 400 || status === 413)).toBe(true);
    },
    60_000,
  );

  it('left only valid items in the table', async () => {
    const items = await hub.snapshot({ rateCounters: true });
    expect(items.length).toBeGreaterThan(100);
    expect(invalidItems(items)).toEqual([]);
  });
});
