import { routeGroups } from '#functions/http/api.ts';
import type { Route } from '#functions/http/route.ts';
import { startTestHub, type TestHub } from './hub.ts';
import { fixtures, startReceiver, World } from './matrix-fixtures.ts';

/** Every route of the API, read from the route groups, so that a route added later is covered. */
export const routeSpecs: Route['spec'][] = (
  await Promise.all(routeGroups.map(async (group) => (await group.load()).routes))
)
  .flat()
  .map((route) => route.spec);

/** Every route that writes; deleting accounts comes last, as in the matrix. */
export const writeSpecs: Route['spec'][] = routeSpecs
  .filter((spec) => spec.method !== 'GET')
  .sort((a, b) => Number(isLast(a)) - Number(isLast(b)));
function isLast(spec: Route['spec']) {
  return fixtures[spec.operationId]?.[0]?.last ?? false;
}

export interface MatrixWorld {
  hub: TestHub;
  world: World;
  /** Stops the hub and the webhook receiver. */
  stop: () => Promise<void>;
}

/**
 * A hub with the matrix's world in it. One quick webhook retry, so that a failing webhook's delivery
 * is dead within moments.
 */
export async function startMatrixWorld(): Promise<MatrixWorld> {
  const receiver = await startReceiver();
  const hub = await startTestHub({ channels: { dispatchIntervalMs: 25, retryScheduleMs: [10] } });
  const world = await World.create(hub, receiver);
  return {
    hub,
    world,
    stop: async () => {
      await hub.stop();
      await receiver.stop();
    },
  };
}
