import { XMLParser, XMLValidator } from 'fast-xml-parser';
import nodeIcal from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { DynamoFeed } from '../../functions/adapters/dynamodb/feed.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let owner: string;
let staff: string;
let initiative: { id: string; slug: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  isArray: (name) => name === 'entry' || name === 'link',
});
const decodeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));

async function atom(path: string) {
  const response = await fetch(`${hub.url}${path}`);
  const text = await response.text();
  return { response, text };
}

function entriesOf(xml: string) {
  expect(XMLValidator.validate(xml)).toBe(true);
  const { feed } = parser.parse(xml) as {
    feed: {
      id: string;
      title: string;
      entry?: { id: string; title: { '#text': string }; link: { '@_href': string }[] }[];
    };
  };
  return {
    feed,
    entries: (feed.entry ?? []).map((entry) => ({ ...entry, title: decodeHtml(entry.title['#text']) })),
  };
}

beforeAll(async () => {
  hub = await startTestHub();
  owner = await hub.token('organiser-noor');
  staff = await hub.token('staff-amsterdam');
  const created = await hub.api('POST', '/api/initiatives', {
    token: owner,
    body: {
      name: 'Buren <koken> & eten',
      summary: 'Elke maand een straatdiner voor de hele buurt.',
      municipalityId: 'amsterdam',
      neighbourhoodId: 'bos-en-lommer',
      language: 'nl',
      activities: [
        {
          title: 'Straatdiner; lente',
          startsAt: '2026-04-18T17:00:00.000Z',
          endsAt: '2026-04-18T21:00:00.000Z',
          place: 'Bos en Lommerplein',
        },
        { title: 'Kroegentocht', startsAt: '2026-06-06T19:30:00.000Z' },
      ],
    },
  });
  initiative = created.body;
  const offer = await hub.api('POST', `/api/initiatives/${initiative.id}/offers`, {
    token: staff,
    body: { kind: 'materials', text: 'Statafels en een partytent voor het diner.' },
  });
  await hub.api('POST', `/api/offers/${offer.body.id}/decline`, { token: owner });
  await hub.settle();
});
afterAll(() => hub.stop());

describe('Atom feeds', () => {
  it("serve a municipality's public events, newest first, as valid Atom", async () => {
    // Act
    const { response, text } = await atom('/feeds/amsterdam.atom');
    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml/);
    const { feed, entries } = entriesOf(text);
    expect(feed.title).toMatch(/Amsterdam/);
    const ours = entries.find((entry) => entry.title === 'New initiative: Buren <koken> & eten');
    expect(ours?.link[0]?.['@_href']).toBe(`${hub.url}/nl/initiatives/${initiative.slug}`);
    expect(entries.map((entry) => entry.title).join('\n')).not.toMatch(/Help offered|Offer declined/);
  });

  it('serve a neighbourhood of its own, and nothing of elsewhere', async () => {
    const own = entriesOf((await atom('/feeds/amsterdam/bos-en-lommer.atom')).text).entries;
    const other = entriesOf((await atom('/feeds/amsterdam/oud-west.atom')).text).entries;
    const ieper = entriesOf((await atom('/feeds/ieper.atom')).text).entries;
    expect(own.map((entry) => entry.title)).toContain('New initiative: Buren <koken> & eten');
    expect(other.map((entry) => entry.title)).not.toContain('New initiative: Buren <koken> & eten');
    expect(ieper.map((entry) => entry.title)).not.toContain('New initiative: Buren <koken> & eten');
  });

  it('answer 404 for an unknown municipality or neighbourhood', async () => {
    expect((await atom('/feeds/atlantis.atom')).response.status).toBe(404);
    expect((await atom('/feeds/amsterdam/zillebeke.atom')).response.status).toBe(404);
    expect((await atom('/feeds/amsterdam.rss')).response.status).toBe(400);
  });

  it('keep only the latest entries of a feed', async () => {
    // Prepare
    const client = createDocumentClient({ tableName: hub.tableName, endpoint: hub.endpoint });
    const feed = new DynamoFeed(client, hub.tableName, 3);
    const place = { municipalityId: 'trimtown' };
    // Act
    for (let minute = 0; minute < 5; minute++) {
      const occurredAt = `2026-05-01T10:0${minute}:00.000Z`;
      const eventId = `01J00000000000000000000${minute}AA`;
      await feed.add({
        source: 'plein.initiatives',
        detailType: 'InitiativeArchived',
        detail: { ...place, eventId, occurredAt },
      });
    }
    // Assess
    const latest = await feed.latest(place);
    expect(latest.map((event) => event.detail.occurredAt)).toEqual([
      '2026-05-01T10:04:00.000Z',
      '2026-05-01T10:03:00.000Z',
      '2026-05-01T10:02:00.000Z',
    ]);
    client.destroy();
  });
});

describe("an initiative's activities as iCalendar", () => {
  it('parse with an independent iCalendar parser, by id and by slug', async () => {
    for (const key of [initiative.id, initiative.slug]) {
      // Act
      const response = await fetch(`${hub.url}/api/initiatives/${key}/activities.ics`);
      const text = await response.text();
      // Assess
      expect(response.headers.get('content-type')).toMatch(/^text\/calendar/);
      const events = Object.values(nodeIcal.sync.parseICS(text)).filter((item) => item?.type === 'VEVENT');
      expect(
        events
          .map((event) => {
            const vevent = event as { summary: string; start: Date; location?: string };
            return [vevent.summary, vevent.start.toISOString(), vevent.location];
          })
          .sort(),
      ).toEqual([
        ['Kroegentocht', '2026-06-06T19:30:00.000Z', undefined],
        ['Straatdiner; lente', '2026-04-18T17:00:00.000Z', 'Bos en Lommerplein'],
      ]);
    }
    expect((await fetch(`${hub.url}/api/initiatives/nergens-te-vinden/activities.ics`)).status).toBe(404);
  });
});
