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
  { name: 'facilitation', entry: 'functions/http/facilitation.ts', load: () => import('./facilitation.ts') },
  {
    name: 'polls',
    entry: 'functions/http/polls.ts',
    load: () => import('./polls.ts'),
    // Ballot ids are HMACs under this key: only this function may read it.
    secrets: ['ballotKey'],
  },
  {
    name: 'subscriptions',
    entry: 'functions/http/subscriptions.ts',
    load: () => import('./subscriptions.ts'),
    // Webhook signing secrets are sealed under this key when a subscription is made or rotated.
    secrets: ['channelKey'],
  },
  { name: 'moderation', entry: 'functions/http/moderation.ts', load: () => import('./moderation.ts') },
  { name: 'feeds', entry: 'functions/http/feeds.ts', load: () => import('./feeds.ts') },
  { name: 'calendar', entry: 'functions/http/calendar.ts', load: () => import('./calendar.ts') },
  { name: 'event-docs', entry: 'functions/http/events-doc.ts', load: () => import('./events-doc.ts') },
  { name: 'meta', entry: 'functions/http/meta.ts', load: () => import('./meta.ts') },
  // A person's own account: who they are, their export, their deletion (the one function that may delete accounts).
  {
    name: 'me',
    entry: 'functions/http/me.ts',
    load: () => import('./me.ts'),
    // DELETE /api/me deletes the person's account at the identity provider.
    deletesUsers: true,
  },
] as const satisfies readonly {
  name: string;
  entry: string;
  load: () => Promise<{ routes: Route[] }>;
  /** Secrets the group's function reads (the CDK stack grants exactly these). */
  secrets?: readonly ('ballotKey' | 'channelKey')[];
  /** The group's function may delete users from the identity provider (Cognito's AdminDeleteUser). */
  deletesUsers?: true;
}[];

export type RouteGroupName = (typeof routeGroups)[number]['name'];
