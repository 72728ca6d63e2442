import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../shared/events/pattern.ts';

/** A full EventBridge envelope around the given detail (and any extra top-level fields). */
function eventWith(detail: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'InitiativeRegistered',
    source: 'plein.initiatives',
    account: '123456789012',
    time: '2025-10-02T18:43:48Z',
    region: 'eu-west-1',
    resources: [],
    detail,
    ...extra,
  };
}

/** The error validatePattern throws, so its message and path can be inspected. */
function rejectionOf(pattern: unknown): InvalidEventPatternError {
  try {
    validatePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error;
    throw error;
  }
  throw new Error('expected the pattern to be rejected');
}

describe('exact values', () => {
  it('compares numbers by value, so 300 matches 300.0', () => {
    // Prepare
    const event = JSON.parse('{"detail": {"amount": 300.0}}') as unknown;

    // Act
    const matched = matchesPattern({ detail: { amount: [300] } }, event);

    // Assess
    expect(matched).toBe(true);
  });

  it('never equates a number with its string spelling, or true with "true"', () => {
    // Prepare
    const pattern = { detail: { amount: [300], flag: [true] } };

    // Act
    const numberAsString = matchesPattern(pattern, eventWith({ amount: '300', flag: true }));
    const booleanAsString = matchesPattern(pattern, eventWith({ amount: 300, flag: 'true' }));

    // Assess
    expect(numberAsString).toBe(false);
    expect(booleanAsString).toBe(false);
  });

  it('matches null only against a present null, not a missing field or the string "null"', () => {
    // Prepare
    const pattern = { detail: { deletedAt: [null] } };

    // Act
    const present = matchesPattern(pattern, eventWith({ deletedAt: null }));
    const missing = matchesPattern(pattern, eventWith({}));
    const text = matchesPattern(pattern, eventWith({ deletedAt: 'null' }));

    // Assess
    expect([present, missing, text]).toEqual([true, false, false]);
  });

  it('matches an event array when any element matches any pattern value', () => {
    // Prepare
    const pattern = { resources: ['arn:b', 'arn:c'] };

    // Act
    const overlapping = matchesPattern(pattern, eventWith({}, { resources: ['arn:a', 'arn:c'] }));
    const disjoint = matchesPattern(pattern, eventWith({}, { resources: ['arn:a'] }));
    const empty = matchesPattern({ resources: [null] }, eventWith({}, { resources: [] }));

    // Assess
    expect([overlapping, disjoint, empty]).toEqual([true, false, false]);
  });

  it('does not parse a string that happens to hold JSON', () => {
    // Prepare
    const event = eventWith('{"state": "running"}');

    // Act
    const matched = matchesPattern({ detail: { state: ['running'] } }, event);

    // Assess
    expect(matched).toBe(false);
  });

  it('treats two spellings of one IP address as the same value', () => {
    // Prepare
    const pattern = { detail: { ip: ['2001:db8::1'] } };

    // Act
    const matched = matchesPattern(pattern, eventWith({ ip: '2001:0DB8:0:0:0:0:0:1' }));

    // Assess
    expect(matched).toBe(true);
  });
});

describe('prefix and suffix', () => {
  it('only match strings, so a prefix never matches a number', () => {
    // Prepare
    const pattern = { detail: { code: [{ prefix: '12' }] } };

    // Act
    const number = matchesPattern(pattern, eventWith({ code: 123 }));
    const text = matchesPattern(pattern, eventWith({ code: '123' }));

    // Assess
    expect([number, text]).toEqual([false, true]);
  });

  it('accept an empty operand, which matches any string value and nothing else', () => {
    // Prepare
    const pattern = { detail: { name: [{ prefix: '' }] } };

    // Act
    const text = matchesPattern(pattern, eventWith({ name: 'x' }));
    const nil = matchesPattern(pattern, eventWith({ name: null }));

    // Assess
    expect([text, nil]).toEqual([true, false]);
  });

  it('are case-sensitive unless written with equals-ignore-case', () => {
    // Prepare
    const event = eventWith({ file: 'Photo.PNG', service: 'EvEnTbridge' });

    // Act
    const plainSuffix = matchesPattern({ detail: { file: [{ suffix: '.png' }] } }, event);
    const foldedSuffix = matchesPattern(
      { detail: { file: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      event,
    );
    const foldedPrefix = matchesPattern(
      { detail: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] } },
      event,
    );

    // Assess
    expect([plainSuffix, foldedSuffix, foldedPrefix]).toEqual([false, true, true]);
  });

  it('reject a list operand and name the field', () => {
    // Act
    const error = rejectionOf({ detail: { file: [{ suffix: ['.png'] }] } });

    // Assess
    expect(error.path).toBe('detail.file');
    expect(error.message).toContain('suffix');
  });
});

describe('equals-ignore-case', () => {
  it('matches any casing of a string but never a non-string', () => {
    // Prepare
    const pattern = { detail: { name: [{ 'equals-ignore-case': 'alice' }] } };

    // Act
    const upper = matchesPattern(pattern, eventWith({ name: 'ALICE' }));
    const longer = matchesPattern(pattern, eventWith({ name: 'alice2' }));

    // Assess
    expect([upper, longer]).toEqual([true, false]);
  });

  it('treats regex metacharacters in the operand literally', () => {
    // Prepare
    const pattern = { detail: { name: [{ 'equals-ignore-case': 'a.b' }] } };

    // Act
    const literal = matchesPattern(pattern, eventWith({ name: 'A.B' }));
    const anyChar = matchesPattern(pattern, eventWith({ name: 'axb' }));

    // Assess
    expect([literal, anyChar]).toEqual([true, false]);
  });
});

describe('anything-but', () => {
  it('does not match a missing field but does match null', () => {
    // Prepare
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };

    // Act
    const missing = matchesPattern(pattern, eventWith({}));
    const nil = matchesPattern(pattern, eventWith({ state: null }));
    const excluded = matchesPattern(pattern, eventWith({ state: 'initializing' }));

    // Assess
    expect([missing, nil, excluded]).toEqual([false, true, false]);
  });

  it('excludes by type too: a string list does not exclude the equal number', () => {
    // Prepare
    const pattern = { detail: { limit: [{ 'anything-but': ['100', '200'] }] } };

    // Act
    const number = matchesPattern(pattern, eventWith({ limit: 100 }));
    const text = matchesPattern(pattern, eventWith({ limit: '100' }));

    // Assess
    expect([number, text]).toEqual([true, false]);
  });

  it('matches an event array when some element is not excluded', () => {
    // Prepare
    const pattern = { detail: { tags: [{ 'anything-but': 'internal' }] } };

    // Act
    const mixed = matchesPattern(pattern, eventWith({ tags: ['internal', 'public'] }));
    const onlyExcluded = matchesPattern(pattern, eventWith({ tags: ['internal'] }));

    // Assess
    expect([mixed, onlyExcluded]).toEqual([true, false]);
  });

  it('negates prefix, suffix, wildcard and equals-ignore-case, letting non-strings through', () => {
    // Prepare
    const event = eventWith({
      region: 'us-east-1',
      file: 'a.png',
      path: 'x/lib/y',
      state: 'STOPPED',
      code: 12,
    });

    // Act
    const results = [
      matchesPattern({ detail: { region: [{ 'anything-but': { prefix: 'us-' } }] } }, event),
      matchesPattern({ detail: { file: [{ 'anything-but': { suffix: ['.jpg', '.png'] } }] } }, event),
      matchesPattern({ detail: { path: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, event),
      matchesPattern({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'stopped' } }] } }, event),
      matchesPattern({ detail: { code: [{ 'anything-but': { prefix: '1' } }] } }, event),
    ];

    // Assess
    expect(results).toEqual([false, false, false, false, true]);
  });

  it.each([
    [{ 'anything-but': null }, 'anything-but'],
    [{ 'anything-but': ['a', 1] }, 'mix'],
    [{ 'anything-but': ['a', null] }, 'strings or numbers'],
    [{ 'anything-but': { prefix: '' } }, 'must not be empty'],
    [{ 'anything-but': { prefix: { 'equals-ignore-case': 'x' } } }, 'anything-but prefix'],
    [{ 'anything-but': { numeric: ['>', 1] } }, '"numeric"'],
    [{ 'anything-but': { 'equals-ignore-case': [1] } }, 'anything-but equals-ignore-case'],
  ])('rejects %j, saying %s', (operator, wording) => {
    // Act
    const error = rejectionOf({ detail: { state: [operator] } });

    // Assess
    expect(error.path).toBe('detail.state');
    expect(error.message).toContain(wording);
  });
});

describe('numeric', () => {
  it('honours open and closed bounds', () => {
    // Prepare
    const pattern = { detail: { count: [{ numeric: ['>', 0, '<=', 5] }] } };

    // Act
    const results = [0, 0.5, 5, 5.01].map((count) => matchesPattern(pattern, eventWith({ count })));

    // Assess
    expect(results).toEqual([false, true, true, false]);
  });

  it('compares numbers only, never a numeric-looking string', () => {
    // Prepare
    const pattern = { detail: { count: [{ numeric: ['=', 3] }] } };

    // Act
    const text = matchesPattern(pattern, eventWith({ count: '3' }));
    const number = matchesPattern(pattern, eventWith({ count: 3.0 }));

    // Assess
    expect([text, number]).toEqual([false, true]);
  });

  it.each([
    [['<', 10, '>', 0], '"<" takes one value'],
    [['>', 5, '<', 5], 'lower bound must be less than the upper bound'],
    [['>', 0, '>', 10], 'upper bound operator'],
    [['=', 1, '<', 2], '"=" takes one value'],
    [['==', 1], 'not "=="'],
    [['>', '1'], 'needs a number'],
    [['<'], 'needs a number'],
    [[], 'numeric must start with'],
  ])('rejects %j, saying %s', (operand, wording) => {
    // Act
    const error = rejectionOf({ detail: { count: [{ numeric: operand }] } });

    // Assess
    expect(error.path).toBe('detail.count');
    expect(error.message).toContain(wording);
  });
});

describe('exists', () => {
  it('sees leaves only: an object-valued field does not exist, a null one does', () => {
    // Prepare
    const pattern = { detail: { owner: [{ exists: true }] } };

    // Act
    const objectValue = matchesPattern(pattern, eventWith({ owner: { id: 'a' } }));
    const nullValue = matchesPattern(pattern, eventWith({ owner: null }));
    const emptyArray = matchesPattern(pattern, eventWith({ owner: [] }));

    // Assess
    expect([objectValue, nullValue, emptyArray]).toEqual([false, true, false]);
  });

  it('with false matches a missing field, including one whose parent is missing', () => {
    // Prepare
    const pattern = { detail: { owner: { id: [{ exists: false }] } } };

    // Act
    const parentMissing = matchesPattern(pattern, eventWith({}));
    const present = matchesPattern(pattern, eventWith({ owner: { id: 'a' } }));

    // Assess
    expect([parentMissing, present]).toEqual([true, false]);
  });

  it('combines with other values as an or', () => {
    // Prepare
    const pattern = { detail: { state: [{ 'anything-but': ['archived'] }, { exists: false }] } };

    // Act
    const results = [{}, { state: 'open' }, { state: 'archived' }].map((detail) =>
      matchesPattern(pattern, eventWith(detail)),
    );

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('must be a boolean', () => {
    // Act
    const error = rejectionOf({ detail: { owner: [{ exists: 'true' }] } });

    // Assess
    expect(error.message).toContain('exists must be true or false');
  });
});

describe('cidr', () => {
  it('matches IPv4 and IPv6 addresses inside the range, in any spelling', () => {
    // Prepare
    const v4 = { detail: { ip: [{ cidr: '10.0.0.0/24' }] } };
    const v6 = { detail: { ip: [{ cidr: '2001:db8:1234:1a00::/64' }] } };

    // Act
    const results = [
      matchesPattern(v4, eventWith({ ip: '10.0.0.255' })),
      matchesPattern(v4, eventWith({ ip: '10.0.1.0' })),
      matchesPattern(v4, eventWith({ ip: 'not-an-ip' })),
      matchesPattern(v6, eventWith({ ip: '2001:0DB8:1234:1A00:0000:0000:0000:0001' })),
      matchesPattern(v6, eventWith({ ip: '2001:db8:1234:1a01::' })),
      matchesPattern(v6, eventWith({ ip: '10.0.0.1' })),
    ];

    // Assess
    expect(results).toEqual([true, false, false, true, false, false]);
  });

  it('starts the range at the address as written, as Event Ruler does', () => {
    // Prepare
    const pattern = { detail: { ip: [{ cidr: '10.0.0.128/24' }] } };

    // Act
    const below = matchesPattern(pattern, eventWith({ ip: '10.0.0.1' }));
    const above = matchesPattern(pattern, eventWith({ ip: '10.0.0.200' }));

    // Assess
    expect([below, above]).toEqual([false, true]);
  });

  it.each([
    ['10.0.0.0', 'exactly one "/"'],
    ['10.0.0.0/x', 'mask bits must be an integer'],
    ['10.0.0.0/-1', 'must not be negative'],
    ['10.0.0.0/32', 'mask bits must be < 32'],
    ['10.0.0.300/8', 'is not an IP address'],
  ])('rejects %s, saying %s', (cidr, wording) => {
    // Act
    const error = rejectionOf({ detail: { ip: [{ cidr }] } });

    // Assess
    expect(error.message).toContain(wording);
  });
});

describe('wildcard', () => {
  it('lets * match any run of characters, including none and slashes', () => {
    // Prepare
    const pattern = { detail: { key: [{ wildcard: 'uploads/*/photo*.png' }] } };

    // Act
    const results = ['uploads/a/b/photo1.png', 'uploads//photo.png', 'uploads/a/photo.jpg'].map((key) =>
      matchesPattern(pattern, eventWith({ key })),
    );

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('reads \\* as a literal star and \\\\ as a literal backslash', () => {
    // Prepare
    const pattern = { detail: { key: [{ wildcard: 'a\\*b\\\\*' }] } };

    // Act
    const literal = matchesPattern(pattern, eventWith({ key: 'a*b\\tail' }));
    const notAStar = matchesPattern(pattern, eventWith({ key: 'axb\\tail' }));

    // Assess
    expect([literal, notAStar]).toEqual([true, false]);
  });

  it('without a star matches only the whole string, so "" matches only ""', () => {
    // Prepare
    const pattern = { detail: { key: [{ wildcard: '' }] } };

    // Act
    const empty = matchesPattern(pattern, eventWith({ key: '' }));
    const other = matchesPattern(pattern, eventWith({ key: 'x' }));

    // Assess
    expect([empty, other]).toEqual([true, false]);
  });

  it.each([
    ['a**b', 'consecutive wildcard characters at position 1'],
    ['a\\b', 'invalid escape at position 1'],
    ['trailing\\', 'invalid escape at position 8'],
    ['*:*:*:*:*:event-bus/*', 'Rule is too complex'],
  ])('rejects %s, saying %s', (wildcard, wording) => {
    // Act
    const error = rejectionOf({ detail: { arn: [{ wildcard }] } });

    // Assess
    expect(error.path).toBe('detail.arn');
    expect(error.message).toContain(wording);
  });

  it('judges complexity over all wildcards of one field together', () => {
    // Prepare
    const alone = ['*/datasync/*.bif', '*/datasync/*.tif'];
    const together = [...alone, '*/datasync/*.tiff', '*/datasync/*.svs'];

    // Act
    const twoAccepted = () => validatePattern({ detail: { key: alone.map((wildcard) => ({ wildcard })) } });
    const fourRejected = () =>
      validatePattern({ detail: { key: together.map((wildcard) => ({ wildcard })) } });

    // Assess
    expect(twoAccepted).not.toThrow();
    expect(fourRejected).toThrow(/too complex/);
  });
});

describe('$or', () => {
  it('matches when any branch matches, also nested below a field', () => {
    // Prepare
    const pattern = {
      source: ['plein.initiatives'],
      detail: { $or: [{ count: [{ numeric: ['>', 10] }] }, { priority: ['high'] }] },
    };

    // Act
    const results = [{ count: 11 }, { priority: 'high' }, { count: 1, priority: 'low' }].map((detail) =>
      matchesPattern(pattern, eventWith(detail)),
    );

    // Assess
    expect(results).toEqual([true, true, false]);
  });

  it('lets a branch override a field given outside it, as EventBridge does (last write wins)', () => {
    // Prepare
    const pattern = { detail: { state: ['open'], $or: [{ state: ['closed'] }, { kind: ['x'] }] } };

    // Act
    const overridden = matchesPattern(pattern, eventWith({ state: 'closed' }));
    const original = matchesPattern(pattern, eventWith({ state: 'open', kind: 'y' }));

    // Assess
    expect([overridden, original]).toEqual([true, false]);
  });

  it('needs at least two branches', () => {
    // Act
    const error = rejectionOf({ $or: [{ source: ['a'] }] });

    // Assess
    expect(error.message).toContain('$or needs at least 2 objects');
  });

  it('falls back to an ordinary field named "$or" when its members are operators', () => {
    // Prepare
    const pattern = { detail: { $or: [{ prefix: 'a' }, { suffix: 'z' }] } };

    // Act
    const matched = matchesPattern(pattern, eventWith({ $or: 'abc' }));

    // Assess
    expect(matched).toBe(true);
  });
});

describe('paths', () => {
  it('joins nested keys with dots on both sides', () => {
    // Prepare
    const nestedPattern = { detail: { state: { status: ['running'] } } };
    const dottedPattern = { detail: { 'state.status': ['running'] } };

    // Act
    const dottedEvent = matchesPattern(nestedPattern, eventWith({ 'state.status': 'running' }));
    const nestedEvent = matchesPattern(dottedPattern, eventWith({ state: { status: 'running' } }));

    // Assess
    expect([dottedEvent, nestedEvent]).toEqual([true, true]);
  });

  it('requires fields inside one array of objects to come from the same element', () => {
    // Prepare
    const pattern = { detail: { items: { kind: ['book'], price: [{ numeric: ['<', 10] }] } } };
    const split = eventWith({
      items: [
        { kind: 'book', price: 20 },
        { kind: 'pen', price: 5 },
      ],
    });
    const together = eventWith({
      items: [
        { kind: 'pen', price: 5 },
        { kind: 'book', price: 8 },
      ],
    });

    // Act
    const splitMatched = matchesPattern(pattern, split);
    const togetherMatched = matchesPattern(pattern, together);

    // Assess
    expect([splitMatched, togetherMatched]).toEqual([false, true]);
  });

  it('judges exists:false within the array element the other fields chose', () => {
    // Prepare
    const pattern = { detail: { items: { kind: ['book'], removed: [{ exists: false }] } } };
    const event = eventWith({ items: [{ kind: 'book' }, { kind: 'pen', removed: true }] });

    // Act
    const matched = matchesPattern(pattern, event);

    // Assess
    expect(matched).toBe(true);
  });

  it('may reference any top-level field of the envelope', () => {
    // Prepare
    const pattern = { account: ['123456789012'], 'replay-name': [{ exists: false }] };

    // Act
    const matched = matchesPattern(pattern, eventWith({}));

    // Assess
    expect(matched).toBe(true);
  });
});

describe('validatePattern', () => {
  it('throws an InvalidEventPatternError naming the offending key and operator', () => {
    // Act
    const error = rejectionOf({ detail: { state: [{ EXISTS: true }] } });

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidEventPatternError');
    expect(error.path).toBe('detail.state');
    expect(error.message).toBe(
      'Event pattern is not valid at "detail.state": unrecognized operator "EXISTS" (operators are case-sensitive)',
    );
  });

  it.each([
    [{ detail: { state: 'open' } }, 'detail.state', 'must be an object or an array'],
    [{ detail: { state: [] } }, 'detail.state', 'empty arrays are not allowed'],
    [{ detail: {} }, 'detail', 'empty objects are not allowed'],
    [{ detail: { state: [['open']] } }, 'detail.state', 'match values must be'],
    [{ detail: { state: [{ prefix: 'a', suffix: 'b' }] } }, 'detail.state', 'only one operator'],
    [{ detail: { state: [{}] } }, 'detail.state', 'names no operator'],
  ])('rejects %j at %s', (pattern, path, wording) => {
    // Act
    const error = rejectionOf(pattern);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message).toContain(wording);
  });

  it('rejects a pattern that is not an object', () => {
    // Act + Assess
    expect(() => validatePattern(['source'])).toThrow(InvalidEventPatternError);
    expect(() => validatePattern(null)).toThrow(InvalidEventPatternError);
  });

  it('accepts the pattern as JSON text, and rejects text that is not JSON', () => {
    // Prepare
    const text = '{"source": ["plein.initiatives"]}';

    // Act
    const matched = matchesPattern(text, eventWith({}));

    // Assess
    expect(matched).toBe(true);
    expect(() => validatePattern('{"source": [')).toThrow(/not valid JSON/);
  });

  it('makes matchesPattern throw the same error for an invalid pattern', () => {
    // Act + Assess
    expect(() => matchesPattern({ detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }, eventWith({}))).toThrow(
      InvalidEventPatternError,
    );
  });
});

describe('compilePattern', () => {
  it('returns a reusable matcher, cached per pattern', () => {
    // Prepare
    const pattern = { source: [{ prefix: 'plein.' }] };

    // Act
    const matcher = compilePattern(pattern);

    // Assess
    expect(compilePattern(pattern)).toBe(matcher);
    expect(matcher(eventWith({}))).toBe(true);
    expect(matcher(eventWith({}, { source: 'aws.s3' }))).toBe(false);
    expect(matcher('not an event')).toBe(false);
  });
});
