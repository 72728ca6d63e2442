import * as z from 'zod';

/** `?limit=&cursor=` of a list route: cursors, never offsets. */
export const PageQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(2000).optional(),
  })
  .strict();

/** The answer of a list route: a page of `item`, named `id` in the OpenAPI document. */
export const pageSchema = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().optional() }).meta({ id });
