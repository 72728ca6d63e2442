import * as z from 'zod';
import { LocaleSchema, SlugSchema, text } from './common.ts';

export const NeighbourhoodSchema = z.object({
  id: SlugSchema,
  name: text(1, 120),
  postcodes: z
    .array(z.string().regex(/^[0-9A-Z ]{4,8}$/))
    .max(200)
    .default([]),
});
export type Neighbourhood = z.infer<typeof NeighbourhoodSchema>;

export const MunicipalitySchema = z
  .object({
    id: SlugSchema,
    name: text(1, 120),
    country: z.string().regex(/^[A-Z]{2}$/),
    locales: z.array(LocaleSchema).min(1),
    neighbourhoods: z.array(NeighbourhoodSchema).max(500),
  })
  .meta({ id: 'Municipality' });
export type Municipality = z.infer<typeof MunicipalitySchema>;

export function findNeighbourhood(
  municipality: Municipality,
  neighbourhoodId: string,
): Neighbourhood | undefined {
  return municipality.neighbourhoods.find((neighbourhood) => neighbourhood.id === neighbourhoodId);
}
