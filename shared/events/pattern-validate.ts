import { isIPv4, isIPv6 } from 'node:net';

/*
 * Parses an EventBridge event pattern into plain data that pattern.ts turns into matchers, rejecting what
 * EventBridge rejects. EventBridge runs AWS's open-source Event Ruler, so its rules (and, where it helps to
 * recognise a message, its wording) are followed here rather than only the prose of the user guide.
 */

/** A pattern EventBridge would answer with InvalidEventPatternException. */
export class InvalidEventPatternError extends Error {
  override name = 'InvalidEventPatternError';
  /** Dotted path of the offending field (`detail.state`), when the fault belongs to one. */
  readonly path: string | undefined;

  constructor(reason: string, path?: string) {
    super(
      path === undefined
        ? `Event pattern is not valid: ${reason}`
        : `Event pattern is not valid at "${path}": ${reason}`,
    );
    this.path = path;
  }
}

/** A limit rather than a syntax fault: retrying with `$or` read as a field name must not hide it. */
class PatternLimitError extends InvalidEventPatternError {}

export type Scalar = string | number | boolean | null;

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface IpRange {
  readonly family: 4 | 6;
  readonly low: bigint;
  readonly high: bigint;
}

/** A wildcard operand, split at its unescaped `*`s; a single segment means no wildcard at all. */
export interface Wildcard {
  readonly segments: readonly string[];
}

export interface Bound {
  readonly value: number;
  readonly inclusive: boolean;
}

/** The tests `anything-but` can negate. */
export type ValueTest =
  | { readonly kind: 'exact'; readonly value: Scalar; readonly ip?: IpAddress }
  | { readonly kind: 'prefix' | 'suffix'; readonly value: string; readonly ignoreCase: boolean }
  | { readonly kind: 'equals-ignore-case'; readonly value: string }
  | { readonly kind: 'wildcard'; readonly wildcard: Wildcard };

export type Operand =
  | ValueTest
  | { readonly kind: 'numeric'; readonly lower?: Bound; readonly upper?: Bound }
  | { readonly kind: 'cidr'; readonly range: IpRange }
  | { readonly kind: 'exists'; readonly value: boolean }
  | { readonly kind: 'anything-but'; readonly excluded: readonly ValueTest[] };

/** One `$or`-free reading of the pattern: every dotted field path with the operands any of which must hold. */
export type Alternative = ReadonlyMap<string, readonly Operand[]>;

// EventBridge refuses a `$or` whose branches multiply out past this.
const MAX_ALTERNATIVES = 1000;
// Event Ruler's MAXIMUM_RULE_SIZE: fields per alternative.
const MAX_FIELDS = 256;
// Most wildcard prefixes one input may keep alive at once. Event Ruler measures this (MachineComplexityEvaluator)
// and EventBridge refuses rules above 10: `*:*:*:*:*:event-bus/*` scores 11 and is refused, while
// `/Users/*/dir/dir/dir/dir/dir/doc.txt` scores 7 and is accepted.
const MAX_WILDCARD_COMPLEXITY = 10;
const TOO_COMPLEX =
  'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character';

// Inside a `$or` branch these cannot be field names, so that an operator list is never misread as a branch.
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
// No dots: Event Ruler does not treat `::ffff:1.2.3.4` as an address at all.
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Parses a pattern (already JSON-decoded) into its alternatives, throwing InvalidEventPatternError. */
export function parsePattern(pattern: unknown): Alternative[] {
  if (!isPlainObject(pattern)) throw new InvalidEventPatternError('the pattern must be a JSON object');
  const expander = new Expander(true);
  let alternatives: Alternative[];
  try {
    alternatives = expander.expand(pattern);
  } catch (error) {
    // EventBridge retries a rule its `$or`-aware compiler refuses with the older compiler, for which `$or` is
    // an ordinary field name; only if both refuse is the pattern invalid.
    if (
      !expander.sawOr ||
      !(error instanceof InvalidEventPatternError) ||
      error instanceof PatternLimitError
    ) {
      throw error;
    }
    try {
      alternatives = new Expander(false).expand(pattern);
    } catch {
      throw error;
    }
  }
  for (const alternative of alternatives) {
    if (alternative.size > MAX_FIELDS) {
      throw new InvalidEventPatternError(`a rule may constrain at most ${MAX_FIELDS} fields`);
    }
  }
  checkWildcardComplexity(alternatives);
  return alternatives;
}

type Draft = Map<string, readonly Operand[]>;

/** Expands `$or` the way Event Ruler does: each branch forks the fields seen so far, later writes win. */
class Expander {
  sawOr = false;

  constructor(private readonly orEnabled: boolean) {}

  expand(pattern: Record<string, unknown>): Alternative[] {
    const drafts: Draft[] = [];
    this.object(drafts, '', pattern, false);
    return drafts;
  }

  private object(drafts: Draft[], path: string, node: Record<string, unknown>, insideOr: boolean): void {
    const keys = Object.keys(node);
    if (keys.length === 0) {
      throw new InvalidEventPatternError('empty objects are not allowed', path || undefined);
    }
    for (const key of keys) {
      const value = node[key];
      if (key === '$or' && this.orEnabled) {
        this.sawOr = true;
        this.or(drafts, path, value);
        continue;
      }
      const childPath = path === '' ? key : `${path}.${key}`;
      if (insideOr && RESERVED_IN_OR.has(key)) {
        throw new InvalidEventPatternError(
          `"${key}" is an operator name and cannot be a field inside $or`,
          childPath,
        );
      }
      if (Array.isArray(value)) {
        const operands = parseValueList(value, childPath);
        if (drafts.length === 0) drafts.push(new Map());
        for (const draft of drafts) draft.set(childPath, operands);
      } else if (isPlainObject(value)) {
        this.object(drafts, childPath, value, insideOr);
      } else {
        const shown = JSON.stringify(value) ?? String(value);
        throw new InvalidEventPatternError(
          `"${key}" must be an object or an array of values (write [${shown}], not ${shown})`,
          childPath,
        );
      }
    }
  }

  private or(drafts: Draft[], path: string, members: unknown): void {
    const where = path === '' ? '$or' : `${path}.$or`;
    if (!Array.isArray(members)) {
      throw new InvalidEventPatternError('$or must be followed by an array', where);
    }
    const before = drafts.map((draft) => new Map(draft));
    drafts.length = 0;
    for (const member of members) {
      if (!isPlainObject(member)) {
        throw new InvalidEventPatternError('only JSON objects are allowed in a $or array', where);
      }
      const forked = before.length === 0 ? [new Map()] : before.map((draft) => new Map(draft));
      this.object(forked, path, member, true);
      drafts.push(...forked);
      if (drafts.length > MAX_ALTERNATIVES) {
        throw new PatternLimitError(`$or expands to more than ${MAX_ALTERNATIVES} rule combinations`, where);
      }
    }
    if (members.length < 2) throw new InvalidEventPatternError('$or needs at least 2 objects', where);
  }
}

function parseValueList(values: readonly unknown[], path: string): Operand[] {
  if (values.length === 0) throw new InvalidEventPatternError('empty arrays are not allowed', path);
  return values.map((value) => parseValue(value, path));
}

function parseValue(value: unknown, path: string): Operand {
  if (typeof value === 'string') {
    // Event Ruler matches an IP literal as an address, so other spellings of the same address match too.
    const ip = parseIp(value);
    return ip === undefined ? { kind: 'exact', value } : { kind: 'exact', value, ip };
  }
  if (typeof value === 'number') return { kind: 'exact', value: finite(value, 'match values', path) };
  if (typeof value === 'boolean' || value === null) return { kind: 'exact', value };
  if (isPlainObject(value)) return parseMatchExpression(value, path);
  throw new InvalidEventPatternError(
    'match values must be a string, number, true, false, null or an operator object',
    path,
  );
}

function parseMatchExpression(expression: Record<string, unknown>, path: string): Operand {
  const [operator, ...others] = Object.keys(expression);
  if (operator === undefined) throw new InvalidEventPatternError('{} names no operator', path);
  if (others.length > 0) {
    throw new InvalidEventPatternError(
      `only one operator is allowed per object, found ${[operator, ...others].map((key) => `"${key}"`).join(', ')}`,
      path,
    );
  }
  const operand = expression[operator];
  switch (operator) {
    case 'exactly':
      return { kind: 'exact', value: requireString(operand, 'exactly', path) };
    case 'prefix':
    case 'suffix':
      return parseAffix(operator, operand, path);
    case 'equals-ignore-case':
      return { kind: 'equals-ignore-case', value: requireString(operand, 'equals-ignore-case', path) };
    case 'wildcard':
      return { kind: 'wildcard', wildcard: parseWildcard(operand, 'wildcard', path) };
    case 'numeric':
      return parseNumeric(operand, path);
    case 'cidr':
      return { kind: 'cidr', range: parseCidr(operand, path) };
    case 'exists':
      if (typeof operand !== 'boolean') {
        throw new InvalidEventPatternError('exists must be true or false', path);
      }
      return { kind: 'exists', value: operand };
    case 'anything-but':
      return { kind: 'anything-but', excluded: parseAnythingBut(operand, path) };
    default:
      throw new InvalidEventPatternError(
        `unrecognized operator "${operator}" (operators are case-sensitive)`,
        path,
      );
  }
}

function parseAffix(operator: 'prefix' | 'suffix', operand: unknown, path: string): ValueTest {
  if (typeof operand === 'string') return { kind: operator, value: operand, ignoreCase: false };
  if (isPlainObject(operand)) {
    const [inner, ...others] = Object.keys(operand);
    if (inner !== 'equals-ignore-case' || others.length > 0) {
      throw new InvalidEventPatternError(
        `${operator} accepts a string or {"equals-ignore-case": string}`,
        path,
      );
    }
    const value = requireString(operand[inner], `${operator} equals-ignore-case`, path);
    return { kind: operator, value, ignoreCase: true };
  }
  throw new InvalidEventPatternError(`${operator} match pattern must be a string`, path);
}

function parseAnythingBut(operand: unknown, path: string): ValueTest[] {
  if (typeof operand === 'string') return [{ kind: 'exact', value: operand }];
  if (typeof operand === 'number') return [{ kind: 'exact', value: finite(operand, 'anything-but', path) }];
  if (Array.isArray(operand)) {
    if (operand.length === 0) {
      throw new InvalidEventPatternError('anything-but needs at least one value', path);
    }
    const values = operand.map((value) => {
      if (typeof value === 'string') return value;
      if (typeof value === 'number') return finite(value, 'anything-but', path);
      throw new InvalidEventPatternError('anything-but lists may only hold strings or numbers', path);
    });
    if (
      values.some((value) => typeof value === 'string') &&
      values.some((value) => typeof value === 'number')
    ) {
      throw new InvalidEventPatternError('anything-but lists cannot mix strings and numbers', path);
    }
    return values.map((value) => ({ kind: 'exact', value }));
  }
  if (!isPlainObject(operand)) {
    throw new InvalidEventPatternError(
      'anything-but must be a string, a number, a list of them or an object',
      path,
    );
  }
  const [inner, ...others] = Object.keys(operand);
  if (inner === undefined) throw new InvalidEventPatternError('anything-but {} names no operator', path);
  if (others.length > 0) throw new InvalidEventPatternError('anything-but takes only one operator', path);
  if (inner !== 'prefix' && inner !== 'suffix' && inner !== 'equals-ignore-case' && inner !== 'wildcard') {
    throw new InvalidEventPatternError(`anything-but does not support "${inner}"`, path);
  }
  const raw = operand[inner];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) {
    throw new InvalidEventPatternError(`anything-but ${inner} needs at least one value`, path);
  }
  const texts = list.map((value) => {
    if (typeof value === 'string') return value;
    throw new InvalidEventPatternError(`anything-but ${inner} takes a string or a list of strings`, path);
  });
  if (inner === 'equals-ignore-case') {
    return texts.map((text) => ({ kind: 'equals-ignore-case', value: text }));
  }
  if (inner === 'wildcard') {
    return texts.map((text) => ({
      kind: 'wildcard',
      wildcard: parseWildcard(text, 'anything-but wildcard', path),
    }));
  }
  return texts.map((text) => {
    // Unlike plain prefix/suffix, where "" is accepted and means "any string".
    if (text === '') throw new InvalidEventPatternError(`anything-but ${inner} must not be empty`, path);
    return { kind: inner, value: text, ignoreCase: false };
  });
}

const NUMERIC_OPERATORS = new Set(['=', '<', '<=', '>', '>=']);

function parseNumeric(operand: unknown, path: string): Operand {
  if (!Array.isArray(operand)) throw new InvalidEventPatternError('numeric must be an array', path);
  const [operator, value, upperOperator, upperValue] = operand as unknown[];
  if (typeof operator !== 'string' || !NUMERIC_OPERATORS.has(operator)) {
    throw new InvalidEventPatternError(
      `numeric must start with one of =, <, <=, >, >=, not ${JSON.stringify(operator)}`,
      path,
    );
  }
  const first = numericValue(operator, value, path);
  if (operator === '=' || operator === '<' || operator === '<=') {
    if (operand.length > 2) {
      throw new InvalidEventPatternError(
        `numeric "${operator}" takes one value; a range starts with its lower bound (> or >=)`,
        path,
      );
    }
    if (operator === '=') return { kind: 'numeric', lower: first, upper: first };
    return { kind: 'numeric', upper: { value: first.value, inclusive: operator === '<=' } };
  }
  const lower = { value: first.value, inclusive: operator === '>=' };
  if (operand.length === 2) return { kind: 'numeric', lower };
  if (upperOperator !== '<' && upperOperator !== '<=') {
    throw new InvalidEventPatternError(
      `numeric range needs an upper bound operator < or <= after its lower bound, not ${JSON.stringify(upperOperator)}`,
      path,
    );
  }
  const top = numericValue(upperOperator, upperValue, path);
  if (operand.length > 4) throw new InvalidEventPatternError('numeric range has too many terms', path);
  if (!(lower.value < top.value)) {
    throw new InvalidEventPatternError(
      'numeric range: the lower bound must be less than the upper bound',
      path,
    );
  }
  return { kind: 'numeric', lower, upper: { value: top.value, inclusive: upperOperator === '<=' } };
}

function numericValue(operator: string, value: unknown, path: string): Bound {
  if (typeof value !== 'number') {
    throw new InvalidEventPatternError(`numeric "${operator}" needs a number`, path);
  }
  return { value: finite(value, `numeric "${operator}"`, path), inclusive: true };
}

/** Parses a wildcard operand: `\*` is a literal star, `\\` a literal backslash, no other escape exists. */
function parseWildcard(operand: unknown, label: string, path: string): Wildcard {
  const text = requireString(operand, label, path);
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (char === '\\') {
      const next = text.charAt(index + 1);
      if (next !== '*' && next !== '\\') {
        throw new InvalidEventPatternError(
          `${label} "${text}" has an invalid escape at position ${index} (only \\* and \\\\ are allowed)`,
          path,
        );
      }
      current += next;
      index++;
    } else if (char === '*') {
      if (text.charAt(index + 1) === '*') {
        throw new InvalidEventPatternError(
          `${label} "${text}" has consecutive wildcard characters at position ${index}`,
          path,
        );
      }
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return { segments };
}

function parseCidr(operand: unknown, path: string): IpRange {
  const text = requireString(operand, 'cidr', path);
  // Split as Java does, which drops trailing empty parts.
  const parts = text.split('/');
  while (parts.length > 1 && parts.at(-1) === '') parts.pop();
  const [address, maskText] = parts;
  if (parts.length !== 2 || address === undefined || maskText === undefined) {
    throw new InvalidEventPatternError(`cidr "${text}" needs exactly one "/"`, path);
  }
  const bits = Number(maskText);
  if (!/^[+-]?[0-9]+$/.test(maskText) || !Number.isSafeInteger(bits) || Math.abs(bits) > 2 ** 31 - 1) {
    throw new InvalidEventPatternError(`cidr "${text}": mask bits must be an integer`, path);
  }
  if (bits < 0) throw new InvalidEventPatternError(`cidr "${text}": mask bits must not be negative`, path);
  const ip = parseIp(address);
  if (ip === undefined) {
    throw new InvalidEventPatternError(`cidr "${text}": "${address}" is not an IP address`, path);
  }
  // Event Ruler refuses a whole-width mask (a single address is written as a plain value instead).
  const width = ip.family === 4 ? 32 : 128;
  if (bits >= width) {
    throw new InvalidEventPatternError(`cidr "${text}": IPv${ip.family} mask bits must be < ${width}`, path);
  }
  // As in Event Ruler, the range starts at the address as written, not at the network address.
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  return { family: ip.family, low: ip.value, high: ip.value | hostMask };
}

/** The address a string spells, as Event Ruler reads it (an IPv4-mapped IPv6 address is the IPv4 one). */
export function parseIp(text: string): IpAddress | undefined {
  if (IPV4_SHAPE.test(text)) {
    if (!isIPv4(text)) return undefined;
    let value = 0n;
    for (const octet of text.split('.')) value = (value << 8n) | BigInt(octet);
    return { family: 4, value };
  }
  if (!IPV6_SHAPE.test(text) || !isIPv6(text)) return undefined;
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [
    ...headGroups,
    ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
    ...tailGroups,
  ];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(`0x${group}`);
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffff_ffffn };
  return { family: 6, value };
}

function checkWildcardComplexity(alternatives: readonly Alternative[]): void {
  const byPath = new Map<string, Map<string, Wildcard>>();
  const add = (path: string, wildcard: Wildcard): void => {
    const known = byPath.get(path) ?? new Map<string, Wildcard>();
    // Event Ruler stores an identical wildcard once, so duplicates add nothing.
    known.set(JSON.stringify(wildcard.segments), wildcard);
    byPath.set(path, known);
  };
  for (const alternative of alternatives) {
    for (const [path, operands] of alternative) {
      for (const operand of operands) {
        if (operand.kind === 'wildcard') add(path, operand.wildcard);
        if (operand.kind === 'anything-but') {
          for (const test of operand.excluded) if (test.kind === 'wildcard') add(path, test.wildcard);
        }
      }
    }
  }
  for (const [path, wildcards] of byPath) {
    if (wildcardComplexity([...wildcards.values()]) > MAX_WILDCARD_COMPLEXITY) {
      throw new InvalidEventPatternError(TOO_COMPLEX, path);
    }
  }
}

const STAR = -1;
const OTHER_BYTE = 256;
// Past this many distinct state sets the search stops; no realistic operand comes near it.
const MAX_EXPLORED_STATE_SETS = 20_000;

/**
 * Event Ruler's complexity measure: the most prefixes of the field's wildcard operands that a single input can
 * match at once, over every possible input. It runs the operands (quoted and as UTF-8, as Event Ruler stores
 * them) as one NFA and explores the reachable state sets, stopping as soon as the limit is exceeded.
 */
function wildcardComplexity(wildcards: readonly Wildcard[]): number {
  const encoder = new TextEncoder();
  const tokens: number[][] = wildcards.map((wildcard) => {
    const quoted: number[] = [0x22];
    wildcard.segments.forEach((segment, index) => {
      if (index > 0) quoted.push(STAR);
      quoted.push(...encoder.encode(segment));
    });
    quoted.push(0x22);
    return quoted;
  });
  // A state is a position in one operand: the number of its tokens the input so far has matched.
  const base: number[] = [];
  let stateCount = 0;
  for (const operand of tokens) {
    base.push(stateCount);
    stateCount += operand.length + 1;
  }
  const owner = (state: number): [number[], number] => {
    let index = 0;
    while (index + 1 < base.length && (base[index + 1] ?? Infinity) <= state) index++;
    return [tokens[index] ?? [], state - (base[index] ?? 0)];
  };
  const close = (states: Set<number>): number[] => {
    for (const state of states) {
      const [operand, position] = owner(state);
      // A star may match nothing, so the position after it is live as well.
      if (operand[position] === STAR) states.add(state + 1);
    }
    return [...states].sort((a, b) => a - b);
  };
  const alphabet = new Set<number>([OTHER_BYTE]);
  for (const operand of tokens) for (const token of operand) if (token !== STAR) alphabet.add(token);

  const start = close(new Set(base));
  const seen = new Set<string>([start.join(',')]);
  const pending = [start];
  let maximum = 0;
  while (pending.length > 0 && seen.size < MAX_EXPLORED_STATE_SETS) {
    const states = pending.pop() ?? [];
    for (const byte of alphabet) {
      const next = new Set<number>();
      for (const state of states) {
        const [operand, position] = owner(state);
        if (operand[position] === byte) next.add(state + 1);
        if (position > 0 && operand[position - 1] === STAR) next.add(state);
      }
      if (next.size === 0) continue;
      const closed = close(next);
      const live = closed.filter((state) => owner(state)[1] > 0).length;
      if (live > MAX_WILDCARD_COMPLEXITY) return live;
      maximum = Math.max(maximum, live);
      const key = closed.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        pending.push(closed);
      }
    }
  }
  return maximum;
}

function requireString(value: unknown, label: string, path: string): string {
  if (typeof value !== 'string') throw new InvalidEventPatternError(`${label} must be a string`, path);
  return value;
}

function finite(value: number, label: string, path: string): number {
  if (!Number.isFinite(value)) throw new InvalidEventPatternError(`${label} must be finite numbers`, path);
  return value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
