import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError, matchesPattern, validatePattern } from '../../shared/events/pattern.ts';

// The conformance suite sits beside the repository checkout (/work/shared next to /work/main), not inside it.
const CASES_URL = new URL('../../../shared/conformance/eventbridge-patterns.json', import.meta.url);

interface ConformanceCase {
  name: string;
  expected: 'match' | 'no-match' | 'error';
  pattern: unknown;
  event: unknown;
}

const cases = JSON.parse(readFileSync(fileURLToPath(CASES_URL), 'utf8')) as ConformanceCase[];

describe('EventBridge pattern conformance', () => {
  it('loads every case of the suite', () => {
    // Assess: a wrong path or a truncated file would otherwise pass by running nothing
    expect(cases).toHaveLength(155);
  });

  it.each(cases)('$name ($expected)', ({ expected, pattern, event }) => {
    if (expected === 'error') {
      // Act + Assess
      expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
      expect(() => matchesPattern(pattern, event)).toThrow(InvalidEventPatternError);
      return;
    }

    // Act
    const matched = matchesPattern(pattern, event);

    // Assess
    expect(matched).toBe(expected === 'match');
  });
});
