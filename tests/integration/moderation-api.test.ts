import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditPut } from '../../functions/adapters/dynamodb/audit.ts';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { readLocalMail } from '../../infra/local/mail.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
const tokens: Record<string, string> = {};
type Role = 'owner' | 'otherOwner' | 'staff' | 'otherStaff' | 'resident' | 'admin' | 'anonymous';
const users: Record<Exclude<Role, 'anonymous'>, string> = {
  owner: 'organiser-noor',
  otherOwner: 'organiser-pieter',
  staff: 'staff-amsterdam',
  otherStaff: 'staff-ieper',
  resident: 'resident-amsterdam',
  admin: 'admin',
};
const as = (role: Role) => (role === 'anonymous' ? undefined : tokens[role]);
const REASON = 'Op de pagina staat het telefoonnummer van een buurman.';
const CONTACT = 'speeltuin-moderatie@example.org';

beforeAll(async () => {
  hub = await startTestHub();
  for (const [role, user] of Object.entries(users)) tokens[role] = await hub.token(user);
});
afterAll(() => hub.stop());

async function register(name: string) {
  const created = await hub.api('POST', '/api/initiatives', {
    token: as('owner'),
    body: {
      name,
      summary: 'Bewoners bouwen samen een speeltuin op het pleintje.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
      contactEmail: CONTACT,
    },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}
const listed = async (id: string) =>
  (await hub.api('GET', '/api/initiatives?municipality=amsterdam&limit=100')).body.items.some(
    (item: { id: string }) => item.id === id,
  );
/** Whether the municipality's public Atom feed links to this initiative (by its slug). */
const inFeed = async (id: string) => {
  const { slug } = (await hub.api('GET', `/api/initiatives/${id}`, { token: as('staff') })).body;
  const feed = await hub.api('GET', '/feeds/amsterdam.atom');
  return String(feed.body).includes(`/initiatives/${slug}`);
};
const auditOf = async (role: Role = 'staff') =>
  hub.api('GET', '/api/municipalities/amsterdam/audit?limit=100', { token: as(role) });

describe('moderation, end to end', () => {
  it('report → hide → public 404, owner sees why and gets an email → appeal → reverse → visible again', async () => {
    // Prepare
    const id = await register('Speeltuin met een te open pagina');
    // Act: a resident reports, staff read the report and hide
    const report = await hub.api('POST', '/api/reports', {
      token: as('resident'),
      body: { kind: 'initiative', targetId: id, category: 'personal-data', text: 'Mijn nummer staat erop.' },
    });
    const reports = await hub.api('GET', '/api/municipalities/amsterdam/reports', { token: as('staff') });
    const hide = await hub.api('POST', `/api/moderation/initiative/${id}/hide`, {
      token: as('staff'),
      body: { reason: REASON },
    });
    await hub.settle();
    // Assess: the report reached staff without its reporter; the item is gone for the public
    expect(report.status).toBe(201);
    expect(report.body.reporterId).toBeUndefined();
    expect(reports.body.items).toContainEqual(
      expect.objectContaining({ id: report.body.id, category: 'personal-data' }),
    );
    expect(JSON.stringify(reports.body)).not.toContain('resident-amsterdam');
    expect(hide.status).toBe(200);
    expect((await hub.api('GET', `/api/initiatives/${id}`)).status).toBe(404);
    expect((await hub.api('GET', `/api/initiatives/${id}`, { token: as('resident') })).status).toBe(404);
    expect((await hub.api('GET', `/api/initiatives/${id}/requests`)).status).toBe(404);
    expect((await hub.api('GET', `/api/initiatives/${id}/activities.ics`)).status).toBe(404);
    expect(await inFeed(id)).toBe(false);
    expect(await listed(id)).toBe(false);
    const ownerView = await hub.api('GET', `/api/initiatives/${id}`, { token: as('owner') });
    expect(ownerView.status).toBe(200);
    expect(ownerView.body.moderation).toMatchObject({ status: 'hidden', reason: REASON });
    expect((await hub.api('GET', `/api/initiatives/${id}`, { token: as('staff') })).status).toBe(200);
    // An owner's edit while hidden leaves it hidden.
    const edited = await hub.api('PATCH', `/api/initiatives/${id}`, {
      token: as('owner'),
      body: { summary: 'Nu zonder telefoonnummer, met het adres van het buurthuis.' },
    });
    expect(edited.status).toBe(200);
    expect((await hub.api('GET', `/api/initiatives/${id}`)).status).toBe(404);
    expect(
      (await hub.api('GET', `/api/initiatives/${id}`, { token: as('owner') })).body.moderation,
    ).toMatchObject({
      status: 'hidden',
    });
    const mail = readLocalMail(hub.channelDir).filter((message) => message.to === CONTACT);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain(REASON);
    expect(mail[0]?.subject).toContain('verborgen');

    // Act: the owner appeals, staff reverse
    const appeal = await hub.api('POST', `/api/moderation/initiative/${id}/appeal`, {
      token: as('owner'),
      body: { text: 'Dat is het nummer van ons eigen buurthuis.' },
    });
    const decision = await hub.api('POST', `/api/moderation/initiative/${id}/appeal/decision`, {
      token: as('staff'),
      body: { outcome: 'reverse', reason: 'Het is inderdaad het buurthuis.' },
    });
    // Assess
    expect(appeal.status).toBe(200);
    expect(appeal.body.appeal).toMatchObject({ status: 'pending' });
    expect(decision.status).toBe(200);
    expect(decision.body).toMatchObject({ status: 'visible', appeal: { status: 'reversed' } });
    const publicAgain = await hub.api('GET', `/api/initiatives/${id}`);
    expect(publicAgain.status).toBe(200);
    expect(publicAgain.body.moderation).toBeUndefined();
    expect((await hub.api('GET', `/api/initiatives/${id}/activities.ics`)).status).toBe(200);
    expect(await inFeed(id)).toBe(true);
    expect(await listed(id)).toBe(true);
  });

  it('hides polls from their pages and lists too, and restores them', async () => {
    const poll = await hub.api('POST', '/api/polls', {
      token: as('staff'),
      body: {
        owner: { kind: 'municipality', municipalityId: 'amsterdam' },
        language: 'nl',
        question: 'Waar moet het nieuwe bankje komen?',
        options: ['Bij de speeltuin', 'Bij de bibliotheek'],
        audience: { scope: 'municipality' },
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    expect(poll.status).toBe(201);
    const pollId = poll.body.id as string;
    const hide = await hub.api('POST', `/api/moderation/poll/${pollId}/hide`, {
      token: as('admin'),
      body: { reason: 'Dubbel: dezelfde vraag staat al open.' },
    });
    const pollsListed = async () =>
      (await hub.api('GET', '/api/polls?municipality=amsterdam&limit=100')).body.items.some(
        (item: { id: string }) => item.id === pollId,
      );
    expect(hide.status).toBe(200);
    expect((await hub.api('GET', `/api/polls/${pollId}`)).status).toBe(404);
    expect((await hub.api('GET', `/api/polls/${pollId}/results`)).status).toBe(404);
    const staffView = await hub.api('GET', `/api/polls/${pollId}`, { token: as('staff') });
    expect(staffView.status).toBe(200);
    expect(staffView.body.moderation).toMatchObject({ status: 'hidden' });
    expect(await pollsListed()).toBe(false);
    const restore = await hub.api('POST', `/api/moderation/poll/${pollId}/restore`, {
      token: as('staff'),
      body: { reason: 'De andere vraag is gesloten.' },
    });
    expect(restore.status).toBe(200);
    expect((await hub.api('GET', `/api/polls/${pollId}`)).status).toBe(200);
    expect(await pollsListed()).toBe(true);
    // Staff's poll, the admin's hide and staff's restore are all in the audit log, each by its role.
    const entries = (await auditOf('staff')).body.items.filter(
      (entry: { target: { id: string } }) => entry.target.id === pollId,
    );
    expect(
      entries.map(
        (entry: { action: string; actor: { role: string } }) => `${entry.action} ${entry.actor.role}`,
      ),
    ).toEqual(['ContentRestored staff', 'ContentHidden admin', 'PollOpened staff']);
  });

  it('hides a request for help from its initiative’s list but for its owners, who may appeal', async () => {
    const id = await register('Speeltuin met een hulpvraag');
    const request = await hub.api('POST', `/api/initiatives/${id}/requests`, {
      token: as('owner'),
      body: { kind: 'space', text: 'Een loods om materiaal op te slaan.' },
    });
    const requestIds = async (role: Role) =>
      (await hub.api('GET', `/api/initiatives/${id}/requests`, { token: as(role) })).body.items.map(
        (item: { id: string }) => item.id,
      );
    expect(await requestIds('anonymous')).toContain(request.body.id);
    const hide = await hub.api('POST', `/api/moderation/request/${request.body.id}/hide`, {
      token: as('staff'),
      body: { reason: 'Dubbel ingediend, zie de andere vraag.' },
    });
    expect(hide.status).toBe(200);
    expect(await requestIds('anonymous')).not.toContain(request.body.id);
    expect(await requestIds('resident')).not.toContain(request.body.id);
    const ownersList = await hub.api('GET', `/api/initiatives/${id}/requests`, { token: as('owner') });
    expect(ownersList.body.items).toContainEqual(
      expect.objectContaining({
        id: request.body.id,
        moderation: expect.objectContaining({
          status: 'hidden',
          reason: 'Dubbel ingediend, zie de andere vraag.',
        }),
      }),
    );
    // The owners appeal a hidden request of their initiative; someone else's initiative owner may not.
    const appeal = await hub.api('POST', `/api/moderation/request/${request.body.id}/appeal`, {
      token: as('owner'),
      body: { text: 'De andere vraag is al gesloten.' },
    });
    expect(appeal.status).toBe(200);
  });
});

describe('refused moderation changes nothing', () => {
  it('answers 401, 403 and 404 as it should and leaves the table as it was', async () => {
    // Prepare: one visible and one hidden initiative
    const visible = await register('Speeltuin die zichtbaar blijft');
    const hiddenId = await register('Speeltuin die verborgen is');
    expect(
      (
        await hub.api('POST', `/api/moderation/initiative/${hiddenId}/hide`, {
          token: as('staff'),
          body: { reason: REASON },
        })
      ).status,
    ).toBe(200);
    const before = await hub.snapshot();
    // Act
    const anonymousReport = await hub.api('POST', '/api/reports', {
      body: { kind: 'initiative', targetId: visible, category: 'spam' },
    });
    const otherStaffHides = await hub.api('POST', `/api/moderation/initiative/${visible}/hide`, {
      token: as('otherStaff'),
      body: { reason: REASON },
    });
    const residentHides = await hub.api('POST', `/api/moderation/initiative/${visible}/hide`, {
      token: as('resident'),
      body: { reason: REASON },
    });
    const otherStaffRestoresHidden = await hub.api('POST', `/api/moderation/initiative/${hiddenId}/restore`, {
      token: as('otherStaff'),
      body: { reason: 'Ziet er goed uit.' },
    });
    const nonOwnerAppeals = await hub.api('POST', `/api/moderation/initiative/${hiddenId}/appeal`, {
      token: as('otherOwner'),
      body: { text: 'Dit is niet van mij maar toch.' },
    });
    const staffAppeals = await hub.api('POST', `/api/moderation/initiative/${hiddenId}/appeal`, {
      token: as('staff'),
      body: { text: 'Staff are not the owners here.' },
    });
    const unknown = await hub.api('POST', '/api/moderation/initiative/01JZZZZZZZZZZZZZZZZZZZZZZZ/hide', {
      token: as('staff'),
      body: { reason: REASON },
    });
    const reportOfHidden = await hub.api('POST', '/api/reports', {
      token: as('resident'),
      body: { kind: 'initiative', targetId: hiddenId, category: 'spam' },
    });
    const badBody = await hub.api('POST', `/api/moderation/initiative/${visible}/hide`, {
      token: as('staff'),
      body: { reason: 'x', hiddenBy: 'someone' },
    });
    const readReports = await hub.api('GET', '/api/municipalities/amsterdam/reports', {
      token: as('otherStaff'),
    });
    // Assess
    expect(anonymousReport.status).toBe(401);
    expect(otherStaffHides.status).toBe(403);
    expect(residentHides.status).toBe(403);
    expect(otherStaffRestoresHidden.status).toBe(404);
    expect(nonOwnerAppeals.status).toBe(404);
    expect(staffAppeals.status).toBe(403);
    expect(unknown.status).toBe(404);
    expect(reportOfHidden.status).toBe(404);
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'hiddenBy',
      'reason',
    ]);
    expect(readReports.status).toBe(403);
    expect(await hub.snapshot()).toEqual(before);
  });
});

describe('the audit log', () => {
  it('records a staff offer, a subscription change and a hide, newest first, for staff and the admin', async () => {
    // Prepare / Act
    const id = await register('Speeltuin voor het auditlog');
    const offer = await hub.api('POST', `/api/initiatives/${id}/offers`, {
      token: as('staff'),
      body: { kind: 'space', text: 'De loods aan de Erasmusgracht.' },
    });
    const subscription = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: as('staff'),
      body: { kind: 'email', address: 'wijkteam@amsterdam.example', eventTypes: ['InitiativeRegistered'] },
    });
    const paused = await hub.api('PATCH', `/api/subscriptions/${subscription.body.id}`, {
      token: as('staff'),
      body: { status: 'paused' },
    });
    const webhook = await hub.api('POST', '/api/municipalities/amsterdam/subscriptions', {
      token: as('staff'),
      body: { kind: 'webhook', url: 'http://127.0.0.1:9/audit', eventTypes: ['InitiativeRegistered'] },
    });
    const rotated = await hub.api('POST', `/api/subscriptions/${webhook.body.id}/secret`, {
      token: as('staff'),
    });
    const hide = await hub.api('POST', `/api/moderation/initiative/${id}/hide`, {
      token: as('staff'),
      body: { reason: REASON },
    });
    const log = await auditOf('staff');
    const adminLog = await auditOf('admin');
    // Assess
    expect([
      offer.status,
      subscription.status,
      paused.status,
      webhook.status,
      rotated.status,
      hide.status,
    ]).toEqual([201, 201, 200, 201, 200, 200]);
    expect(log.status).toBe(200);
    const entries = log.body.items as { action: string; target: { id: string }; actor: { userId: string } }[];
    const actions = entries.map((entry) => `${entry.action}:${entry.target.id}`);
    expect(actions).toContain(`FacilitationOffered:${offer.body.id}`);
    expect(actions).toContain(`SubscriptionCreated:${subscription.body.id}`);
    expect(actions).toContain(`SubscriptionChanged:${subscription.body.id}`);
    expect(actions).toContain(`ContentHidden:${id}`);
    // A new signing secret is a change to the subscription like any other.
    expect(actions.filter((action) => action === `SubscriptionChanged:${webhook.body.id}`)).toHaveLength(1);
    // Newest first: the hide came last.
    expect(actions.indexOf(`ContentHidden:${id}`)).toBeLessThan(
      actions.indexOf(`FacilitationOffered:${offer.body.id}`),
    );
    expect(entries.find((entry) => entry.action === 'ContentHidden')).toMatchObject({
      actor: { userId: 'staff-amsterdam', role: 'staff' },
      reason: REASON,
    });
    // An owner's own registration is no staff action.
    expect(entries.some((entry) => entry.target.id === id && entry.action === 'InitiativeRegistered')).toBe(
      false,
    );
    expect(adminLog.status).toBe(200);
  });

  it("pages with a cursor and refuses other municipalities' staff, residents and anonymous callers", async () => {
    const first = await hub.api('GET', '/api/municipalities/amsterdam/audit?limit=1', { token: as('staff') });
    expect(first.body.items).toHaveLength(1);
    const second = await hub.api(
      'GET',
      `/api/municipalities/amsterdam/audit?limit=1&cursor=${first.body.nextCursor}`,
      { token: as('staff') },
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect((await auditOf('otherStaff')).status).toBe(403);
    expect((await auditOf('resident')).status).toBe(403);
    expect((await auditOf('anonymous')).status).toBe(401);
    expect((await hub.api('GET', '/api/municipalities/atlantis/audit', { token: as('staff') })).status).toBe(
      404,
    );
    expect(
      (await hub.api('GET', '/api/municipalities/amsterdam/audit?limit=1000', { token: as('staff') })).status,
    ).toBe(400);
  });

  it('cannot be overwritten: a second write of an entry is refused and the first stays', async () => {
    const [entry] = (await auditOf('staff')).body.items;
    const client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
    try {
      const forged = { ...entry, actor: { userId: 'someone-else', role: 'admin' }, reason: 'rewritten' };
      await expect(
        client.send(new TransactWriteCommand({ TransactItems: [auditPut(hub.tableName, forged)] })),
      ).rejects.toThrow(/ConditionalCheckFailed/);
      const after = (await auditOf('staff')).body.items.find((item: { id: string }) => item.id === entry.id);
      expect(after).toEqual(entry);
    } finally {
      client.destroy();
    }
  });
});
