import type { Actor } from '#shared/domain/actor.ts';
import { UlidSchema } from '#shared/domain/common.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import type { Initiative } from '#shared/domain/initiative.ts';
import type { ModerationCase } from '#shared/domain/moderation.ts';
import { assertVisible, initiativeTarget } from '#shared/domain/moderation-decisions.ts';
import { getDeps } from './deps.ts';

/** The initiative with this id, or a 404. */
export async function loadInitiative(id: string): Promise<Initiative> {
  const initiative = await getDeps().initiatives.get(id);
  if (!initiative) throw new NotFoundError(`No initiative ${id}.`);
  return initiative;
}

/**
 * The initiative by id or slug (the public GET routes take either) with its moderation state, read
 * together (the state is mirrored on the initiative's item), or a 404.
 */
export async function loadInitiativeWithModeration(
  idOrSlug: string,
): Promise<{ initiative: Initiative; moderation?: ModerationCase }> {
  const { initiatives } = getDeps();
  const id = UlidSchema.safeParse(idOrSlug).success ? idOrSlug : await initiatives.idOfSlug(idOrSlug);
  const { initiative, moderation } = id ? await initiatives.getWithModeration(id) : {};
  if (!initiative) throw new NotFoundError(`No initiative "${idOrSlug}".`);
  return { initiative, ...(moderation ? { moderation } : {}) };
}

/** The initiative (by id or slug), or a 404 when moderation has hidden it from this caller. */
export async function loadVisibleInitiative(idOrSlug: string, actor: Actor | undefined): Promise<Initiative> {
  const { initiative, moderation } = await loadInitiativeWithModeration(idOrSlug);
  assertVisible(initiativeTarget(initiative), moderation, actor);
  return initiative;
}
