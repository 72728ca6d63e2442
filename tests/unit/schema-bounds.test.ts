import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { routeGroups } from '#functions/http/api.ts';

type JsonSchema = { [key: string]: unknown };

/** A pattern bounds a string's length when it is anchored and repeats nothing without an upper bound. */
const boundedPattern = (pattern: string) =>
  pattern.startsWith('^') && pattern.endsWith('$') && !/(?<!\\)[+*]|\{\d+,\}/.test(pattern);
/** Formats whose grammar fixes a string's length (RFC 3339 dates and times, UUIDs). */
const BOUNDED_FORMATS = new Set(['date-time', 'date', 'time', 'uuid']);

/** Every unbounded string, array or object in a JSON Schema, named by its path. */
function unbounded(schema: unknown, path: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as JsonSchema;
  const problems: string[] = [];
  const types = ([] as unknown[]).concat(node.type ?? []);
  const fixed = 'const' in node || Array.isArray(node.enum);
  if (types.includes('string') && !fixed) {
    const bounded =
      typeof node.maxLength === 'number' ||
      (typeof node.pattern === 'string' && boundedPattern(node.pattern)) ||
      (typeof node.format === 'string' && BOUNDED_FORMATS.has(node.format));
    if (!bounded) problems.push(`${path}: a string without maxLength`);
  }
  if (types.includes('array') && typeof node.maxItems !== 'number' && !Array.isArray(node.prefixItems)) {
    problems.push(`${path}: an array without maxItems`);
  }
  if (
    types.includes('object') &&
    node.additionalProperties !== false &&
    typeof node.maxProperties !== 'number'
  ) {
    problems.push(`${path}: an object open to any number of fields`);
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'properties' || key === '$defs' || key === 'patternProperties') {
      for (const [name, child] of Object.entries(value as JsonSchema))
        problems.push(...unbounded(child, `${path}.${name}`));
    } else if (['anyOf', 'oneOf', 'allOf', 'prefixItems'].includes(key)) {
      for (const [index, child] of (value as unknown[]).entries())
        problems.push(...unbounded(child, `${path}[${key} ${index}]`));
    } else if (['items', 'additionalProperties', 'propertyNames', 'not'].includes(key)) {
      problems.push(...unbounded(value, `${path}.${key}`));
    }
  }
  return problems;
}

const specs = (
  await Promise.all(routeGroups.map(async (group) => (await group.load()).routes.map((route) => route.spec)))
).flat();
const inputs = specs.flatMap((spec) =>
  (['body', 'query'] as const).flatMap((part) =>
    spec[part] ? [{ name: `${spec.operationId} ${part}`, schema: spec[part] as z.ZodType, part, spec }] : [],
  ),
);

describe('bounds of every request schema (OWASP API4)', () => {
  it('finds the route groups and their schemas', () => {
    expect(specs.length).toBeGreaterThan(30);
    expect(inputs.filter((input) => input.part === 'body').length).toBeGreaterThanOrEqual(8);
  });

  it.each(inputs)('$name bounds every string, array and object', ({ schema }) => {
    // Act
    const json = z.toJSONSchema(schema, { io: 'input' });
    // Assess
    expect(unbounded(json, '$')).toEqual([]);
  });

  const limitOf = (schema: z.ZodType) =>
    (z.toJSONSchema(schema, { io: 'input' }) as { properties?: { limit?: JsonSchema } }).properties?.limit;
  const paged = inputs.filter((input) => input.part === 'query' && limitOf(input.schema));

  it('finds the paged lists', () => {
    expect(paged.length).toBeGreaterThanOrEqual(6);
  });

  it.each(paged)('$name pages at most 100 items, 20 unless asked', ({ schema }) => {
    // Act
    const limit = limitOf(schema);
    // Assess
    expect(limit).toMatchObject({ type: 'integer', minimum: 1, default: 20 });
    expect(limit?.maximum).toBeLessThanOrEqual(100);
  });

  it('catches what it is meant to catch', () => {
    // Prepare
    const loose = z.object({
      a: z.string(),
      b: z.array(z.string().max(3)),
      c: z.record(z.string().max(5), z.int()),
    });
    // Act
    const problems = unbounded(z.toJSONSchema(loose.strict()), '$');
    // Assess
    expect(problems).toEqual([
      '$.a: a string without maxLength',
      '$.b: an array without maxItems',
      '$.c: an object open to any number of fields',
    ]);
  });
});
