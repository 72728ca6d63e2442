import { z } from 'zod';
import { MunicipalitySchema } from '#shared/domain/municipality.ts';
import { getDeps } from './deps.ts';
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

export const routes = [listMunicipalities];
export const handler = router(routes);
