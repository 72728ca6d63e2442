import * as z from 'zod';
import type { Actor } from '#shared/domain/actor.ts';
import { authorize, isAllowed } from '#shared/domain/authorization.ts';
import { SlugSchema, UlidSchema } from '#shared/domain/common.ts';
import { NotFoundError } from '#shared/domain/errors.ts';
import {
  AppealDecisionSchema,
  AppealSchema,
  HideContentSchema,
  ModerationCaseSchema,
  type ModerationTargetKind,
  ModerationTargetKindSchema,
  ReportContentSchema,
  ReportViewSchema,
  RestoreContentSchema,
} from '#shared/domain/moderation.ts';
import { AuditEntrySchema } from '#shared/domain/moderation-audit.ts';
import {
  appealHide,
  decideAppeal,
  hideContent,
  initiativeTarget,
  type ModerationTarget,
  pollTarget,
  reportContent,
  requestTarget,
  restoreContent,
} from '#shared/domain/moderation-decisions.ts';
import { ownerFactsOf } from '#shared/domain/poll-decisions.ts';
import { commitOf } from './commit.ts';
import { decisionContext, getDeps } from './deps.ts';
import { loadInitiative } from './initiative-lookup.ts';
import { problemResponses } from './openapi-common.ts';
import { PageQuery, pageSchema } from './paging.ts';
import { json, type Route, route, router } from './route.ts';

const TargetParams = z.object({ kind: ModerationTargetKindSchema, id: UlidSchema });
const MunicipalityParams = z.object({ id: SlugSchema });
const PRIVATE = { 'cache-control': 'private, no-store' };

/** The item and who answers for it, or a 404; a draft poll exists for its owners only. */
async function loadTarget(
  kind: ModerationTargetKind,
  id: string,
  actor: Actor | undefined,
): Promise<ModerationTarget> {
  const deps = getDeps();
  switch (kind) {
    case 'initiative':
      return initiativeTarget(await loadInitiative(id));
    case 'request': {
      const request = await deps.facilitation.getRequest(id);
      if (!request) throw new NotFoundError(`No request ${id}.`);
      return requestTarget(request, await loadInitiative(request.initiativeId));
    }
    case 'poll': {
      const poll = await deps.polls.get(id);
      if (!poll) throw new NotFoundError(`No poll ${id}.`);
      const initiative =
        poll.owner.kind === 'initiative' ? await deps.initiatives.get(poll.owner.initiativeId) : undefined;
      const owner = ownerFactsOf(poll, initiative);
      if (poll.status === 'draft' && !isAllowed(actor, { type: 'poll.read-draft', ...owner })) {
        throw new NotFoundError(`No poll ${id}.`);
      }
      return pollTarget(poll, owner);
    }
  }
}

export const reportRoute = route(
  {
    method: 'POST',
    path: '/api/reports',
    operationId: 'reportContent',
    summary: "Report an initiative, request or poll to its municipality's staff (anyone signed in).",
    auth: 'required',
    body: ReportContentSchema,
    responses: {
      201: { description: 'Reported', schema: ReportViewSchema },
      ...problemResponses(400, 401, 404, 422),
    },
  },
  async ({ body, actor, idempotency }) => {
    const target = await loadTarget(body.kind, body.targetId, actor);
    const moderation = await getDeps().moderation.getCase(target.kind, target.id);
    const decision = reportContent(target, moderation, body, decisionContext(actor));
    const { reporterId: _reporterId, ...view } = decision.state;
    const response = json(201, view, PRIVATE);
    await getDeps().moderation.createReport(decision.state, commitOf(decision.events, response, idempotency));
    return response;
  },
);

export const listReports = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/reports',
    operationId: 'listReports',
    summary: "The municipality's reports, newest first, without who made them (its staff, the admin).",
    auth: 'required',
    params: MunicipalityParams,
    query: PageQuery,
    responses: {
      200: { description: 'Reports', schema: pageSchema(ReportViewSchema, 'ReportPage') },
      ...problemResponses(400, 401, 403, 404),
    },
  },
  async ({ params, query, actor }) => {
    const municipality = await getDeps().municipalities.get(params.id);
    if (!municipality) throw new NotFoundError(`No municipality ${params.id}.`);
    authorize(actor, { type: 'moderation.read-reports', municipalityId: municipality.id });
    const result = await getDeps().moderation.listReports(municipality.id, query);
    return json(
      200,
      { ...result, items: result.items.map(({ reporterId: _reporterId, ...report }) => report) },
      PRIVATE,
    );
  },
);

const steps = {
  hide: {
    decide: hideContent,
    body: HideContentSchema,
    operationId: 'hideContent',
    summary: 'Hide an item, with a reason (staff of its municipality, the admin).',
  },
  restore: {
    decide: restoreContent,
    body: RestoreContentSchema,
    operationId: 'restoreContent',
    summary: 'Make a hidden item visible again (staff, admin).',
  },
  appeal: {
    decide: appealHide,
    body: AppealSchema,
    operationId: 'appealHide',
    summary: 'Appeal a hide, once per hide (the item’s owners).',
  },
  'appeal/decision': {
    decide: decideAppeal,
    body: AppealDecisionSchema,
    operationId: 'decideAppeal',
    summary: 'Uphold a hide or reverse it (staff, admin).',
  },
} as const;

function moderationStep(name: keyof typeof steps): Route {
  const step = steps[name];
  return route(
    {
      method: 'POST',
      path: `/api/moderation/{kind}/{id}/${name}`,
      operationId: step.operationId,
      summary: step.summary,
      auth: 'required',
      params: TargetParams,
      body: step.body as z.ZodType,
      responses: {
        200: { description: 'Done', schema: ModerationCaseSchema },
        ...problemResponses(400, 401, 403, 404, 409, 422),
      },
    },
    async ({ params, body, actor, idempotency }) => {
      const target = await loadTarget(params.kind, params.id, actor);
      const current = await getDeps().moderation.getCase(target.kind, target.id);
      const decide = step.decide as (
        target: ModerationTarget,
        current: unknown,
        command: unknown,
        context: ReturnType<typeof decisionContext>,
      ) => ReturnType<typeof hideContent>;
      const decision = decide(target, current, body, decisionContext(actor));
      const response = json(200, decision.state, PRIVATE);
      await getDeps().moderation.saveCase(decision.state, commitOf(decision.events, response, idempotency));
      return response;
    },
  );
}

export const auditLog = route(
  {
    method: 'GET',
    path: '/api/municipalities/{id}/audit',
    operationId: 'auditLog',
    summary:
      'Every staff and admin action in the municipality, newest first: who, what, on what, when, why (its staff, the admin).',
    auth: 'required',
    params: MunicipalityParams,
    query: PageQuery,
    responses: {
      200: { description: 'Audit entries', schema: pageSchema(AuditEntrySchema, 'AuditPage') },
      ...problemResponses(400, 401, 403, 404),
    },
  },
  async ({ params, query, actor }) => {
    const municipality = await getDeps().municipalities.get(params.id);
    if (!municipality) throw new NotFoundError(`No municipality ${params.id}.`);
    authorize(actor, { type: 'audit.read', municipalityId: municipality.id });
    return json(200, await getDeps().audit.list(municipality.id, query), PRIVATE);
  },
);

export const routes = [
  reportRoute,
  listReports,
  moderationStep('hide'),
  moderationStep('restore'),
  moderationStep('appeal'),
  moderationStep('appeal/decision'),
  auditLog,
];

/** One Lambda function for reports, moderation and the audit log. */
export const handler = router(routes);
