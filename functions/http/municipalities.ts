import * as z from 'zod';
import { SlugSchema } from '#shared/domain/common.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import { MunicipalitySchema } from '#shared/domain/municipality.ts';
import {
  MonthSchema,
  monthsBetween,
  ParticipationReportSchema,
  participationReport,
  shiftMonth,
} from '#shared/domain/participation.ts';
import { getDeps } from './deps.ts';
import { problemResponses } from './openapi-common.ts';
import { json, route, router } from './route.ts';

export const listMunicipalities = route(
  {
    method: 'GET',
    path: '/api/municipalities',
    operationId: 'listMunicipalities',
    summary: 'Every municipality on this hub, with its neighbourhoods.',
    auth: 'none',
    responses: {
      200: {
        description: 'The municipalities',
        schema: z.object({ items: z.array(MunicipalitySchema) }).meta({ id: 'MunicipalityList' }),
      },
    },
  },
  async () => {
    const items = await getDeps().municipalities.list();
    return json(
      200,
      { items: items.sort((a, b) => a.name.localeCompare(b.name)) },
      { 'cache-control': 'public, max-age=60' },
    );
  },
);

const ParticipationQuery = z
  .object({ from: MonthSchema.optional(), to: MonthSchema.optional() })
  .strict()
  .refine((query) => !query.from || !query.to || query.from <= query.to, {
    path: ['from'],
    message: 'must not be after to',
  })
  .refine((query) => !query.from || !query.to || monthsBetween(query.from, query.to).length <= 36, {
    path: ['to'],
    message: 'at most 36 months at a time',
  });

export const participationFigures = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/participation',
    operationId: 'participationFigures',
    summary:
      'Return on participation per month: initiatives, requests for help and how fast they were first answered, offers and their outcomes.',
    auth: 'none',
    params: z.object({ id: SlugSchema }),
    query: ParticipationQuery,
    responses: {
      200: { description: 'The figures', schema: ParticipationReportSchema },
      ...problemResponses(400, 404),
    },
  },
  async ({ params, query }) => {
    const deps = getDeps();
    if (!(await deps.municipalities.get(params.id))) throw new NotFoundError(`No municipality ${params.id}.`);
    const to = query.to ?? deps.now().toISOString().slice(0, 7);
    const from = query.from ?? shiftMonth(to, -11);
    const stored = await deps.participation.months(params.id, from, to);
    return json(200, participationReport(params.id, from, to, stored), {
      'cache-control': 'public, max-age=60',
    });
  },
);

export const routes = [listMunicipalities, participationFigures];
export const handler = router(routes);
