import { Feed } from 'feed';
import * as z from 'zod';
import { SlugSchema } from '#shared/domain/common.ts';
import type { DeliveredEvent } from '#shared/domain/delivery.ts';
import { describeEvent, subjectsOf } from '#shared/domain/delivery-render.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import { findNeighbourhood } from '#shared/domain/municipality.ts';
import { getDeps } from './deps.ts';
import { problemResponses } from './openapi-common.ts';
import { publicBaseUrl as baseUrl, PUBLIC } from './public-url.ts';
import { type HttpResponse, route, router } from './route.ts';

const AtomFileSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\.atom$/, 'must be <id>.atom')
  .transform((file) => file.slice(0, -'.atom'.length));

// Atom's html text constructs: the feed library wraps them in CDATA, so names must be escaped to stay text.
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function atom(
  base: string,
  self: string,
  title: string,
  author: string,
  language: string,
  events: DeliveredEvent[],
): HttpResponse {
  const newest = events[0]?.detail.occurredAt;
  const feed = new Feed({
    id: `${base}${self}`,
    title,
    link: `${base}/`,
    language,
    updated: typeof newest === 'string' ? new Date(newest) : new Date(0),
    generator: 'Plein',
    copyright: '',
    author: { name: author },
    feedLinks: { atom: `${base}${self}` },
  });
  for (const event of events) {
    const text = describeEvent(event.detailType, event.detail);
    feed.addItem({
      id: `urn:plein:event:${String(event.detail.eventId)}`,
      title: escapeHtml(text.title),
      link: `${base}${text.path}`,
      date: new Date(String(event.detail.occurredAt)),
      description: escapeHtml(text.summary),
      category: [{ term: event.detailType, name: event.detailType }],
    });
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': PUBLIC },
    body: feed.atom1(),
  };
}

/**
 * The feed's entries without those about something moderation has hidden: an entry stays in the
 * projection, and comes back when the item is restored. One BatchGetItem per kind.
 */
async function visibleEntries(events: DeliveredEvent[]): Promise<DeliveredEvent[]> {
  const subjects = events.map((entry) => subjectsOf(entry.detail));
  const kinds = ['initiative', 'poll', 'request'] as const;
  const hidden = await Promise.all(
    kinds.map((kind) =>
      getDeps().moderation.hiddenAmong(kind, [
        ...new Set(subjects.flatMap((subject) => (subject[kind] ? [subject[kind]] : []))),
      ]),
    ),
  );
  return events.filter((_, index) =>
    kinds.every((kind, k) => {
      const id = subjects[index]?.[kind];
      return !id || !hidden[k]?.has(id);
    }),
  );
}

const atomResponses = {
  200: { description: 'An Atom 1.0 feed (application/atom+xml)' },
  ...problemResponses(400, 404),
};

export const municipalityFeed = route(
  {
    method: 'GET',
    path: '/feeds/{file}',
    operationId: 'municipalityFeed',
    summary: 'The latest public events of a municipality, as an Atom feed: /feeds/<municipality>.atom.',
    auth: 'none',
    params: z.object({ file: AtomFileSchema }),
    responses: atomResponses,
  },
  async ({ params, event }) => {
    const municipality = await getDeps().municipalities.get(params.file);
    if (!municipality) throw new NotFoundError(`No municipality ${params.file}.`);
    const events = await visibleEntries(await getDeps().feed.latest({ municipalityId: municipality.id }));
    const self = `/feeds/${municipality.id}.atom`;
    const language = municipality.locales[0] ?? 'en';
    return atom(baseUrl(event), self, `Plein: ${municipality.name}`, municipality.name, language, events);
  },
);

export const neighbourhoodFeed = route(
  {
    method: 'GET',
    path: '/feeds/{municipalityId}/{file}',
    operationId: 'neighbourhoodFeed',
    summary:
      'The latest public events of a neighbourhood, as an Atom feed: /feeds/<municipality>/<neighbourhood>.atom.',
    auth: 'none',
    params: z.object({ municipalityId: SlugSchema, file: AtomFileSchema }),
    responses: atomResponses,
  },
  async ({ params, event }) => {
    const municipality = await getDeps().municipalities.get(params.municipalityId);
    const neighbourhood = municipality && findNeighbourhood(municipality, params.file);
    if (!municipality || !neighbourhood) {
      throw new NotFoundError(`No neighbourhood ${params.file} in ${params.municipalityId}.`);
    }
    const events = await visibleEntries(
      await getDeps().feed.latest({ municipalityId: municipality.id, neighbourhoodId: neighbourhood.id }),
    );
    const self = `/feeds/${municipality.id}/${neighbourhood.id}.atom`;
    const title = `Plein: ${neighbourhood.name}, ${municipality.name}`;
    const language = municipality.locales[0] ?? 'en';
    return atom(baseUrl(event), self, title, municipality.name, language, events);
  },
);

export const routes = [municipalityFeed, neighbourhoodFeed];
export const handler = router(routes);
