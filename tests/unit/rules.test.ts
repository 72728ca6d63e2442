import { describe, expect, it } from 'vitest';
import {
  InitiativeArchived,
  InitiativeRegistered,
  InitiativeUpdated,
} from '../../shared/domain/initiative.ts';
import { matchesPattern, validatePattern } from '../../shared/events/pattern.ts';
import { patternFor, rules } from '../../shared/events/rules.ts';

const eventOf = (definition: { source: string; name: string }) => ({
  version: '0',
  id: 'x',
  source: definition.source,
  'detail-type': definition.name,
  account: '000000000000',
  time: '2026-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {},
});

describe('the catalog rules', () => {
  it('are valid EventBridge patterns with unique names', () => {
    for (const rule of rules) expect(() => validatePattern(rule.eventPattern)).not.toThrow();
    expect(new Set(rules.map((rule) => rule.name)).size).toBe(rules.length);
  });

  it('patternFor matches exactly the events it names', () => {
    const pattern = patternFor(InitiativeRegistered, InitiativeArchived);
    expect(matchesPattern(pattern, eventOf(InitiativeRegistered))).toBe(true);
    expect(matchesPattern(pattern, eventOf(InitiativeArchived))).toBe(true);
    expect(matchesPattern(pattern, eventOf(InitiativeUpdated))).toBe(false);
    expect(matchesPattern(pattern, { ...eventOf(InitiativeRegistered), source: 'plein.polls' })).toBe(false);
  });

  it('patternFor groups events of several sources with $or', () => {
    const other = { ...InitiativeUpdated, source: 'plein.polls' as const, name: 'PollOpened' };
    const pattern = patternFor(InitiativeRegistered, other);
    expect(matchesPattern(pattern, eventOf(other))).toBe(true);
    expect(matchesPattern(pattern, { ...eventOf(other), source: 'plein.initiatives' })).toBe(false);
  });
});
