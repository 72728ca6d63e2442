import type { Actor } from '#shared/domain/actor.ts';
import { UlidSchema } from '#shared/domain/common.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { Initiative } from '#shared/domain/initiative.ts';
import { assertVisible, initiativeTarget } from '#shared/domain/moderation-decisions.ts';
import { getDeps } from './deps.ts';

/** The initiative with this id, or a 404. */
export async function loadInitiative(id: string): Promise<Initiative> {
  const initiative = await getDeps().initiatives.get(id);
  if (!initiative) throw new NotFoundError(`No initiative ${id}.`);
  return initiative;
}

/** The initiative by id or slug (the public GET routes take either), or a 404. */
export async function loadInitiativeByIdOrSlug(idOrSlug: string): Promise<Initiative> {
  const { initiatives } = getDeps();
  const initiative = UlidSchema.safeParse(idOrSlug).success
    ? await initiatives.get(idOrSlug)
    : await initiatives.getBySlug(idOrSlug);
  if (!initiative) throw new NotFoundError(`No initiative "${idOrSlug}".`);
  return initiative;
}

/** The initiative (by id or slug), or a 404 when moderation has hidden it from this caller. */
export async function loadVisibleInitiative(idOrSlug: string, actor: Actor | undefined): Promise<Initiative> {
  const initiative = await loadInitiativeByIdOrSlug(idOrSlug);
  const moderation = await getDeps().moderation.getCase('initiative', initiative.id);
  assertVisible(initiativeTarget(initiative), moderation, actor);
  return initiative;
}
