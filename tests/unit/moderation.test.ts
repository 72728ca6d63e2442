import { monotonicFactory } from 'ulid';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/domain/actor.ts';
import { isAllowed } from '../../shared/domain/authorization.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../../shared/domain/errors.ts';
import { offerFacilitation } from '../../shared/domain/facilitation-decisions.ts';
import type { ModerationCase } from '../../shared/domain/moderation.ts';
import { auditEntryFor } from '../../shared/domain/moderation-audit.ts';
import {
  appealHide,
  canSee,
  decideAppeal,
  hideContent,
  type ModerationTarget,
  moderationShownTo,
  pollTarget,
  reportContent,
  restoreContent,
} from '../../shared/domain/moderation-decisions.ts';
import { hideNotice } from '../../shared/domain/moderation-notice.ts';
import { allEvents } from '../../shared/events/registry.ts';

const person = (userId: string, staffOf: string[] = [], isPlatformAdmin = false): Actor => ({
  userId,
  name: userId,
  staffOf,
  isPlatformAdmin,
});
const actors = {
  owner: person('owner'),
  staff: person('staff', ['amsterdam']),
  otherStaff: person('other-staff', ['ieper']),
  admin: person('admin', [], true),
  resident: person('resident'),
};
const target: ModerationTarget = {
  kind: 'initiative',
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA',
  municipalityId: 'amsterdam',
  neighbourhoodId: 'bos-en-lommer',
  owners: ['owner'],
};
const context = (actor: Actor | undefined, now = new Date('2026-03-01T12:00:00Z')) => ({
  actor,
  now,
  newId: monotonicFactory(),
});
const REASON = 'Contains a phone number of a neighbour.';
const hidden = (): ModerationCase =>
  hideContent(target, undefined, { reason: REASON }, context(actors.staff)).state;

describe('reporting', () => {
  // Prepare / Act / Assess
  it('lets anyone signed in report, and keeps the reporter out of the event', () => {
    const decision = reportContent(
      target,
      undefined,
      { kind: 'initiative', targetId: target.id, category: 'personal-data', text: 'My address is on it' },
      context(actors.resident),
    );
    expect(decision.state).toMatchObject({ reporterId: 'resident', category: 'personal-data' });
    expect(decision.events).toHaveLength(1);
    const serialized = JSON.stringify(decision.events[0]);
    expect(serialized).not.toContain('resident');
    expect(serialized).not.toContain('My address');
    expect(decision.events[0]?.detailType).toBe('ContentReported');
  });

  it('refuses an anonymous report and a report of something the reporter cannot see', () => {
    const command = { kind: 'initiative' as const, targetId: target.id, category: 'spam' as const };
    expect(() => reportContent(target, undefined, command, context(undefined))).toThrow(UnauthenticatedError);
    expect(() => reportContent(target, hidden(), command, context(actors.resident))).toThrow(NotFoundError);
  });
});

describe('hiding and restoring', () => {
  it("lets the target's municipality's staff and the admin hide, with the reason in the event", () => {
    for (const actor of [actors.staff, actors.admin]) {
      const decision = hideContent(target, undefined, { reason: REASON }, context(actor));
      expect(decision.state).toMatchObject({ status: 'hidden', reason: REASON, revision: 0 });
      expect(decision.events[0]).toMatchObject({
        detailType: 'ContentHidden',
        detail: { municipalityId: 'amsterdam', data: { target: { kind: 'initiative' }, reason: REASON } },
      });
    }
  });

  it("refuses another municipality's staff (403), residents and owners, and anonymous callers (401)", () => {
    const hide = (actor: Actor | undefined) => () =>
      hideContent(target, undefined, { reason: REASON }, context(actor));
    expect(hide(actors.otherStaff)).toThrow(ForbiddenError);
    expect(hide(actors.resident)).toThrow(ForbiddenError);
    expect(hide(actors.owner)).toThrow(ForbiddenError);
    expect(hide(undefined)).toThrow(UnauthenticatedError);
  });

  it("answers 404 to other municipalities' staff once hidden: they cannot know it exists", () => {
    expect(() =>
      restoreContent(target, hidden(), { reason: 'Fine after all.' }, context(actors.otherStaff)),
    ).toThrow(NotFoundError);
  });

  it('hides once; restores only what is hidden, dropping the reason', () => {
    const state = hidden();
    expect(() => hideContent(target, state, { reason: REASON }, context(actors.staff))).toThrow(
      ConflictError,
    );
    const restored = restoreContent(target, state, { reason: 'Fixed by the owners.' }, context(actors.staff));
    expect(restored.state).toMatchObject({ status: 'visible', revision: 1 });
    expect(restored.state.reason).toBeUndefined();
    expect(() => restoreContent(target, restored.state, { reason: 'Again?' }, context(actors.staff))).toThrow(
      ConflictError,
    );
  });
});

describe('visibility', () => {
  it('shows a hidden item, with its reason, to its owners, staff and the admin only', () => {
    const state = hidden();
    expect(canSee(target, state, actors.owner)).toBe(true);
    expect(canSee(target, state, actors.staff)).toBe(true);
    expect(canSee(target, state, actors.admin)).toBe(true);
    expect(canSee(target, state, actors.resident)).toBe(false);
    expect(canSee(target, state, actors.otherStaff)).toBe(false);
    expect(canSee(target, state, undefined)).toBe(false);
    expect(moderationShownTo(target, state, actors.owner)).toMatchObject({
      moderation: { status: 'hidden', reason: REASON },
    });
    expect(() => moderationShownTo(target, state, actors.resident)).toThrow(NotFoundError);
  });

  it('shows a visible item to everyone, without its moderation history', () => {
    expect(canSee(target, undefined, undefined)).toBe(true);
    const restored = restoreContent(target, hidden(), { reason: 'Fixed.' }, context(actors.staff)).state;
    expect(moderationShownTo(target, restored, actors.resident)).toEqual({});
  });
});

describe('appeals', () => {
  it('lets the owners appeal once; staff uphold (still hidden) or reverse (visible again)', () => {
    const appealed = appealHide(
      target,
      hidden(),
      { text: 'The number is our own office.' },
      context(actors.owner),
    );
    expect(appealed.state.appeal).toMatchObject({ status: 'pending' });
    expect(appealed.events[0]?.detailType).toBe('HideAppealed');
    expect(JSON.stringify(appealed.events[0])).not.toContain('our own office');
    expect(() =>
      appealHide(target, appealed.state, { text: 'And once more, please.' }, context(actors.owner)),
    ).toThrow(ConflictError);

    const upheld = decideAppeal(
      target,
      appealed.state,
      { outcome: 'uphold', reason: 'It is a private number.' },
      context(actors.staff),
    );
    expect(upheld.state).toMatchObject({ status: 'hidden', appeal: { status: 'upheld' } });

    const reversed = decideAppeal(
      target,
      appealed.state,
      { outcome: 'reverse', reason: 'It is the office number.' },
      context(actors.admin),
    );
    expect(reversed.state).toMatchObject({ status: 'visible', appeal: { status: 'reversed' } });
    expect(reversed.events[0]).toMatchObject({
      detailType: 'AppealDecided',
      detail: { data: { outcome: 'reversed' } },
    });
  });

  it('refuses an appeal by a non-owner (403 when they may see it, 404 when not) and a decision by owners', () => {
    const state = hidden();
    const appeal = (actor: Actor) => () =>
      appealHide(target, state, { text: 'Please look again at this.' }, context(actor));
    expect(appeal(actors.staff)).toThrow(ForbiddenError);
    expect(appeal(actors.owner)).not.toThrow();
    expect(appeal(actors.resident)).toThrow(NotFoundError);
    const appealed = appealHide(
      target,
      state,
      { text: 'Please look again at this.' },
      context(actors.owner),
    ).state;
    expect(() =>
      decideAppeal(target, appealed, { outcome: 'reverse', reason: 'I like it.' }, context(actors.owner)),
    ).toThrow(ForbiddenError);
    expect(() =>
      decideAppeal(
        target,
        state,
        { outcome: 'reverse', reason: 'Nothing to decide.' },
        context(actors.staff),
      ),
    ).toThrow(ConflictError);
  });

  it("makes a municipal poll's staff its owners, and an initiative poll's owners the initiative's", () => {
    const municipal = pollTarget({ id: target.id }, { municipalityId: 'amsterdam' });
    const ofInitiative = pollTarget(
      { id: target.id },
      { municipalityId: 'amsterdam', initiativeOwners: ['owner'] },
    );
    const action = (facts: ModerationTarget) => ({
      type: 'moderation.appeal' as const,
      municipalityId: facts.municipalityId,
      owners: facts.owners,
    });
    expect(isAllowed(actors.staff, action(municipal))).toBe(true);
    expect(isAllowed(actors.owner, action(municipal))).toBe(false);
    expect(isAllowed(actors.owner, action(ofInitiative))).toBe(true);
    expect(isAllowed(actors.staff, action(ofInitiative))).toBe(false);
  });
});

describe('the audit entry of a commit', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const audit = (actor: Actor | undefined, commit: Parameters<typeof auditEntryFor>[1]) =>
    auditEntryFor(actor, commit, { now, newId: monotonicFactory() });

  it('records a staff offer: who, what, on what, when', () => {
    const offer = offerFacilitation(
      {
        id: target.id,
        municipalityId: 'amsterdam',
        neighbourhoodId: 'bos-en-lommer',
        status: 'published',
        facilitationStance: 'open',
        owners: ['owner'],
      },
      undefined,
      { kind: 'space', text: 'De buurtkamer, elke zaterdag.' },
      context(actors.staff),
    );
    const entry = audit(actors.staff, { events: offer.events, writes: [] });
    expect(entry).toMatchObject({
      municipalityId: 'amsterdam',
      at: now.toISOString(),
      actor: { userId: 'staff', role: 'staff' },
      action: 'FacilitationOffered',
      target: { type: 'offer', id: offer.state.id },
    });
  });

  it('records a hide with its reason, and a subscription change without events', () => {
    const hide = hideContent(target, undefined, { reason: REASON }, context(actors.admin));
    expect(audit(actors.admin, { events: hide.events, writes: [] })).toMatchObject({
      actor: { role: 'admin' },
      action: 'ContentHidden',
      target: { type: 'initiative', id: target.id },
      reason: REASON,
    });
    const change = {
      type: 'Subscription',
      id: 'sub-1',
      municipalityId: 'amsterdam',
      change: 'Deleted' as const,
    };
    expect(audit(actors.staff, { events: [], writes: [change] })).toMatchObject({
      action: 'SubscriptionDeleted',
      target: { type: 'Subscription', id: 'sub-1' },
    });
  });

  it("records nothing for residents, for owners' own actions, or for staff of another municipality", () => {
    const hide = hideContent(target, undefined, { reason: REASON }, context(actors.staff));
    expect(audit(actors.resident, { events: hide.events, writes: [] })).toBeUndefined();
    expect(audit(actors.otherStaff, { events: hide.events, writes: [] })).toBeUndefined();
    expect(audit(undefined, { events: hide.events, writes: [] })).toBeUndefined();
    const appeal = appealHide(
      target,
      hide.state,
      { text: 'Please look again at this.' },
      context(actors.owner),
    );
    expect(audit(actors.staff, { events: appeal.events, writes: [] })).toBeUndefined();
  });
});

describe('the catalog and the notice', () => {
  it('holds every moderation event under plein.moderation', () => {
    const names = allEvents.filter((event) => event.source === 'plein.moderation').map((event) => event.name);
    expect(names.sort()).toEqual([
      'AppealDecided',
      'ContentHidden',
      'ContentReported',
      'ContentRestored',
      'HideAppealed',
    ]);
  });

  it("tells the owner in their initiative's language, with the reason", () => {
    const notice = hideNotice('nl', 'initiative', 'Buurtbibliotheek', REASON, 'https://plein.example/nl/x');
    expect(notice.subject).toContain('verborgen');
    expect(notice.text).toContain(REASON);
    expect(notice.text).toContain('https://plein.example/nl/x');
  });
});
