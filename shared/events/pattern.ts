import {
  type Alternative,
  InvalidEventPatternError,
  type Operand,
  parseIp,
  parsePattern,
  type Scalar,
  type ValueTest,
  type Wildcard,
} from './pattern-validate.ts';

/*
 * Amazon EventBridge's event-pattern language, so the local bus routes exactly as EventBridge would.
 *
 * As in Event Ruler (the engine behind EventBridge), both pattern and event are seen as flat lists of dotted
 * paths: `{"a": {"b": 1}}` and `{"a.b": 1}` are the same field, and an array contributes each element to its
 * path. Operators only ever look at leaves (strings, numbers, booleans, null); objects and empty arrays are not
 * values, so `exists` is about leaves too. When several fields come from objects inside the same array they
 * must come from the same element ("array consistency").
 */

export { InvalidEventPatternError } from './pattern-validate.ts';

export type EventMatcher = (event: unknown) => boolean;

/** Throws InvalidEventPatternError, naming the offending field and operator, for a pattern EventBridge rejects. */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

/**
 * Whether the event matches the pattern, as EventBridge decides it. The pattern may be an object or its JSON text;
 * an invalid pattern throws InvalidEventPatternError.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern)(event);
}

const MAX_CACHED_TEXTS = 500;
const compiledTexts = new Map<string, EventMatcher>();
// Keyed by identity: a pattern object must not be mutated once it has been used.
const compiledObjects = new WeakMap<object, EventMatcher>();

/** Validates the pattern once and returns a reusable matcher; repeated calls with the same pattern are cached. */
export function compilePattern(pattern: unknown): EventMatcher {
  if (typeof pattern === 'string') {
    const cached = compiledTexts.get(pattern);
    if (cached !== undefined) return cached;
    const matcher = buildMatcher(parsePattern(parseJson(pattern)));
    if (compiledTexts.size >= MAX_CACHED_TEXTS) {
      const oldest = compiledTexts.keys().next();
      if (oldest.done !== true) compiledTexts.delete(oldest.value);
    }
    compiledTexts.set(pattern, matcher);
    return matcher;
  }
  if (typeof pattern === 'object' && pattern !== null) {
    const cached = compiledObjects.get(pattern);
    if (cached !== undefined) return cached;
    const matcher = buildMatcher(parsePattern(pattern));
    compiledObjects.set(pattern, matcher);
    return matcher;
  }
  return buildMatcher(parsePattern(pattern));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidEventPatternError('the pattern is not valid JSON');
  }
}

/** Array ids (unique per array in the event) and element indexes of the arrays a leaf sits in, outermost first. */
type Membership = readonly (readonly [arrayId: number, index: number])[];

interface Leaf {
  readonly value: Scalar;
  readonly membership: Membership;
}

interface FieldMatcher {
  readonly path: string;
  readonly test: ((value: Scalar) => boolean) | undefined;
  readonly allowsAbsence: boolean;
}

const NO_LEAVES: readonly Leaf[] = [];
const NO_MEMBERSHIP: Membership = [];

function buildMatcher(alternatives: readonly Alternative[]): EventMatcher {
  // Fields are visited in sorted order, as Event Ruler does: `exists: false` is judged against the array
  // elements chosen by the fields before it, so the order can change the answer.
  const compiled = alternatives.map((alternative) =>
    [...alternative.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, operands]) => compileField(path, operands)),
  );
  const wanted = new Set<string>();
  const ancestors = new Set<string>();
  for (const fields of compiled) {
    for (const { path } of fields) {
      wanted.add(path);
      for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
        ancestors.add(path.slice(0, dot));
      }
    }
  }
  return (event) => {
    const leaves = collectLeaves(event, wanted, ancestors);
    return compiled.some((fields) => matchesAlternative(fields, leaves));
  };
}

function compileField(path: string, operands: readonly Operand[]): FieldMatcher {
  const tests = operands
    .filter((operand) => operand.kind !== 'exists' || operand.value)
    .map((operand) => compileOperand(operand));
  const test =
    tests.length === 0
      ? undefined
      : tests.length === 1
        ? tests[0]
        : (value: Scalar) => tests.some((candidate) => candidate(value));
  return {
    path,
    test,
    allowsAbsence: operands.some((operand) => operand.kind === 'exists' && !operand.value),
  };
}

function compileOperand(operand: Operand): (value: Scalar) => boolean {
  switch (operand.kind) {
    case 'exists':
      return () => true;
    case 'numeric': {
      const { lower, upper } = operand;
      return (value) =>
        typeof value === 'number' &&
        (lower === undefined || (lower.inclusive ? value >= lower.value : value > lower.value)) &&
        (upper === undefined || (upper.inclusive ? value <= upper.value : value < upper.value));
    }
    case 'cidr': {
      const { family, low, high } = operand.range;
      return (value) => {
        if (typeof value !== 'string') return false;
        const ip = parseIp(value);
        return ip !== undefined && ip.family === family && ip.value >= low && ip.value <= high;
      };
    }
    case 'anything-but': {
      // Only a present leaf can be "anything but"; a missing field never gets here.
      const excluded = operand.excluded.map((test) => compileValueTest(test));
      return (value) => !excluded.some((test) => test(value));
    }
    default:
      return compileValueTest(operand);
  }
}

function compileValueTest(test: ValueTest): (value: Scalar) => boolean {
  switch (test.kind) {
    case 'exact': {
      const { value: expected, ip } = test;
      if (ip === undefined) return (value) => value === expected;
      return (value) => {
        if (value === expected) return true;
        if (typeof value !== 'string') return false;
        const actual = parseIp(value);
        return actual !== undefined && actual.family === ip.family && actual.value === ip.value;
      };
    }
    // String operators never match numbers, booleans or null: Event Ruler compares them against the
    // quoted JSON form, which only strings have.
    case 'prefix': {
      const expected = test.value;
      if (!test.ignoreCase) return (value) => typeof value === 'string' && value.startsWith(expected);
      const pattern = ignoreCasePattern(expected, 'start');
      return (value) => typeof value === 'string' && pattern.test(value);
    }
    case 'suffix': {
      const expected = test.value;
      if (!test.ignoreCase) return (value) => typeof value === 'string' && value.endsWith(expected);
      const pattern = ignoreCasePattern(expected, 'end');
      return (value) => typeof value === 'string' && pattern.test(value);
    }
    case 'equals-ignore-case': {
      const pattern = ignoreCasePattern(test.value, 'whole');
      return (value) => typeof value === 'string' && pattern.test(value);
    }
    case 'wildcard': {
      const { wildcard } = test;
      return (value) => typeof value === 'string' && matchesWildcard(wildcard, value);
    }
  }
}

/**
 * Each operand character matches either its lower- or its upper-case form, as Event Ruler builds it; this is not
 * the same as comparing lowercased strings when a case mapping changes length (`ß` / `SS`).
 */
function ignoreCasePattern(text: string, anchor: 'start' | 'end' | 'whole'): RegExp {
  let body = '';
  for (const char of text) {
    const forms = [...new Set([char, char.toLowerCase(), char.toUpperCase()])].map(escapeRegExp);
    body += forms.length === 1 ? forms[0] : `(?:${forms.join('|')})`;
  }
  const source = anchor === 'start' ? `^${body}` : anchor === 'end' ? `${body}$` : `^${body}$`;
  return new RegExp(source, 'u');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Glob matching with `*` only; leftmost placement of each middle segment is always safe, so this is linear-ish. */
function matchesWildcard({ segments }: Wildcard, value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments.at(-1) ?? '';
  const end = value.length - last.length;
  if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let position = first.length;
  for (let index = 1; index < segments.length - 1; index++) {
    const segment = segments[index] ?? '';
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

/** The event's leaves at the pattern's paths; subtrees no pattern path runs through are never walked. */
function collectLeaves(
  event: unknown,
  wanted: ReadonlySet<string>,
  ancestors: ReadonlySet<string>,
): ReadonlyMap<string, readonly Leaf[]> {
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;
  const visitObject = (node: object, path: string, membership: Membership): void => {
    for (const [key, value] of Object.entries(node)) {
      visit(value, path === '' ? key : `${path}.${key}`, membership);
    }
  };
  const visit = (value: unknown, path: string, membership: Membership): void => {
    if (!wanted.has(path) && !ancestors.has(path)) return;
    if (Array.isArray(value)) {
      const arrayId = nextArrayId++;
      value.forEach((element, index) => {
        visit(element, path, [...membership, [arrayId, index]]);
      });
    } else if (typeof value === 'object' && value !== null) {
      visitObject(value, path, membership);
    } else if (wanted.has(path) && isScalar(value)) {
      const atPath = leaves.get(path);
      const leaf = { value, membership };
      if (atPath === undefined) leaves.set(path, [leaf]);
      else atPath.push(leaf);
    }
  };
  if (typeof event === 'object' && event !== null && !Array.isArray(event)) {
    visitObject(event, '', NO_MEMBERSHIP);
  }
  return leaves;
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

/** The membership both leaves share, or undefined when they sit in different elements of one array. */
function merge(so: Membership, leaf: Membership): Membership | undefined {
  let merged: (readonly [number, number])[] | undefined;
  for (const entry of leaf) {
    const known = so.find(([arrayId]) => arrayId === entry[0]);
    if (known === undefined) {
      merged ??= [...so];
      merged.push(entry);
    } else if (known[1] !== entry[1]) {
      return undefined;
    }
  }
  return merged ?? so;
}

function matchesAlternative(
  fields: readonly FieldMatcher[],
  leaves: ReadonlyMap<string, readonly Leaf[]>,
): boolean {
  const candidates: (readonly Leaf[])[] = [];
  let needsConsistency = false;
  for (const field of fields) {
    const atPath = leaves.get(field.path) ?? NO_LEAVES;
    const { test } = field;
    const matching = test === undefined ? NO_LEAVES : atPath.filter((leaf) => test(leaf.value));
    if (matching.length === 0 && !field.allowsAbsence) return false;
    candidates.push(matching);
    needsConsistency ||= atPath.some((leaf) => leaf.membership.length > 0);
  }
  if (!needsConsistency) {
    // Without arrays every choice is consistent: each field only needs a matching leaf, or to be absent.
    return fields.every(
      (field, index) => (candidates[index] ?? NO_LEAVES).length > 0 || !leaves.has(field.path),
    );
  }

  // Array ids each remaining field could touch, so failures can be remembered independently of unrelated arrays.
  const relevantIds: Set<number>[] = [];
  for (let index = fields.length - 1; index >= 0; index--) {
    const ids = new Set(relevantIds[index + 1]);
    for (const leaf of leaves.get(fields[index]?.path ?? '') ?? NO_LEAVES) {
      for (const [arrayId] of leaf.membership) ids.add(arrayId);
    }
    relevantIds[index] = ids;
  }
  const failed = new Set<string>();
  const search = (index: number, so: Membership): boolean => {
    const field = fields[index];
    if (field === undefined) return true;
    const ids = relevantIds[index];
    const key = `${index}|${so
      .filter(([arrayId]) => ids?.has(arrayId))
      .map((entry) => entry.join(':'))
      .join(',')}`;
    if (failed.has(key)) return false;
    for (const leaf of candidates[index] ?? NO_LEAVES) {
      const merged = merge(so, leaf.membership);
      if (merged !== undefined && search(index + 1, merged)) return true;
    }
    if (field.allowsAbsence) {
      // Absent means: no leaf at this path in the array elements chosen so far (Event Ruler's rule).
      const atPath = leaves.get(field.path) ?? NO_LEAVES;
      if (!atPath.some((leaf) => merge(so, leaf.membership) !== undefined) && search(index + 1, so)) {
        return true;
      }
    }
    failed.add(key);
    return false;
  };
  return search(0, NO_MEMBERSHIP);
}
