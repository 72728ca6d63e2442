import type { Route } from './route.ts';

/**
 * The HTTP API's route groups: each is one Lambda function in AWS (`entry` is its module), and
 * the local server dispatches to the same modules. Specs are loaded lazily so that the CDK app and
 * the OpenAPI builder pay only for what they read.
 */
export const routeGroups = [
  { name: 'initiatives', entry: 'functions/http/initiatives.ts', load: () => import('./initiatives.ts') },
  {
    name: 'municipalities',
    entry: 'functions/http/municipalities.ts',
    load: () => import('./municipalities.ts'),
  },
  { name: 'meta', entry: 'functions/http/meta.ts', load: () => import('./meta.ts') },
] as const satisfies readonly { name: string; entry: string; load: () => Promise<{ routes: Route[] }> }[];

export type RouteGroupName = (typeof routeGroups)[number]['name'];
