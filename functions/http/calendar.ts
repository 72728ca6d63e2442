import ical from 'ical-generator';
import * as z from 'zod';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import { loadVisibleInitiative } from './initiative-lookup.ts';
import { problemResponses } from './openapi-common.ts';
import { publicBaseUrl as baseUrl, PUBLIC } from './public-url.ts';
import { route, router } from './route.ts';

// A route group of its own: the iCalendar library stays out of the feeds' function, and theirs out of this one.
export const activitiesCalendar = route(
  {
    method: 'GET',
    path: '/api/initiatives/{id}/activities.ics',
    operationId: 'initiativeActivitiesCalendar',
    summary: "An initiative's activities as an iCalendar (text/calendar), by id or slug, to subscribe to.",
    auth: 'none',
    params: z.object({ id: z.union([UlidSchema, SlugSchema]) }),
    responses: { 200: { description: 'An iCalendar (text/calendar)' }, ...problemResponses(400, 404) },
  },
  async ({ params, event }) => {
    // A hidden initiative's calendar is hidden with it (anonymous: nobody may see it here).
    const initiative = await loadVisibleInitiative(params.id, undefined);
    const page = `${baseUrl(event)}/${initiative.language}/initiatives/${initiative.slug}`;
    const calendar = ical({
      name: initiative.name,
      description: initiative.summary,
      url: page,
      prodId: { company: 'Plein', product: 'Activities', language: initiative.language.toUpperCase() },
    });
    for (const activity of initiative.activities) {
      calendar.createEvent({
        id: `${activity.id}@plein`,
        stamp: new Date(initiative.updatedAt),
        start: new Date(activity.startsAt),
        ...(activity.endsAt ? { end: new Date(activity.endsAt) } : {}),
        summary: activity.title,
        ...(activity.place ? { location: activity.place } : {}),
        description: `${initiative.name}: ${initiative.summary}`,
        url: page,
      });
    }
    return {
      statusCode: 200,
      headers: { 'content-type': 'text/calendar; charset=utf-8', 'cache-control': PUBLIC },
      body: calendar.toString(),
    };
  },
);

export const routes = [activitiesCalendar];
export const handler = router(routes);
