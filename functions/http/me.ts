import * as z from 'zod';
import { authorize } from '#shared/domain/authorization.ts';
import { accountView, exportStatements, PersonalDataExportSchema } from '#shared/domain/personal-data.ts';
import { decisionContext, getDeps } from './deps.ts';
import { problemResponses } from './openapi-common.ts';
import { json, route, router } from './route.ts';

const AccountSchema = PersonalDataExportSchema.shape.account;

const MeSchema = z
  .object({
    account: AccountSchema,
    initiatives: z.array(
      z.object({ id: z.string(), slug: z.string(), name: z.string(), status: z.string() }),
    ),
    polls: z.array(
      z.object({ id: z.string(), question: z.string(), status: z.string(), initiativeId: z.string() }),
    ),
  })
  .meta({ id: 'Me' });

const DeletedSchema = z
  .object({
    deleted: z.literal(true),
    initiativesArchived: z.number().int(),
    initiativesLeft: z.number().int(),
  })
  .meta({ id: 'AccountDeleted' });

export const getMe = route(
  {
    method: 'GET',
    path: '/api/me',
    operationId: 'getMe',
    summary: 'Who you are (from your token and the residency verifier) and what you own.',
    auth: 'required',
    responses: { 200: { description: 'You', schema: MeSchema }, ...problemResponses(401) },
  },
  async ({ actor }) => {
    authorize(actor, { type: 'account.read-own' });
    const deps = getDeps();
    const [residence, initiatives, polls] = await Promise.all([
      deps.residency.residenceOf(actor),
      deps.personalData.ownedInitiatives(actor.userId),
      deps.personalData.pollsOfOwnedInitiatives(actor.userId),
    ]);
    return json(200, {
      account: accountView(actor, residence),
      initiatives: initiatives.map(({ id, slug, name, status }) => ({ id, slug, name, status })),
      polls: polls.flatMap((poll) =>
        poll.owner.kind === 'initiative'
          ? [
              {
                id: poll.id,
                question: poll.question,
                status: poll.status,
                initiativeId: poll.owner.initiativeId,
              },
            ]
          : [],
      ),
    });
  },
);

export const exportMe = route(
  {
    method: 'GET',
    path: '/api/me/export',
    operationId: 'exportMe',
    summary: 'Everything the hub holds about you, as one JSON file (GDPR art. 15 and 20).',
    auth: 'required',
    responses: {
      200: { description: 'Your data', schema: PersonalDataExportSchema },
      ...problemResponses(401),
    },
  },
  async ({ actor }) => {
    authorize(actor, { type: 'account.export-own' });
    const deps = getDeps();
    const sources = deps.personalData.sources();
    const [residence, ...collected] = await Promise.all([
      deps.residency.residenceOf(actor),
      ...sources.map((source) => source.collect(actor)),
    ]);
    const document = {
      exportedAt: deps.now().toISOString(),
      account: accountView(actor, residence),
      sources: Object.fromEntries(
        sources.map((source, index) => [
          source.name,
          { description: source.description, items: collected[index] ?? [] },
        ]),
      ),
      statements: exportStatements,
    };
    return json(200, document, {
      'content-disposition': 'attachment; filename="plein-export.json"',
      'cache-control': 'no-store',
    });
  },
);

export const deleteMe = route(
  {
    method: 'DELETE',
    path: '/api/me',
    operationId: 'deleteMe',
    summary:
      'Delete your account: you leave initiatives you share, those you own alone are archived, your ballots ' +
      'stay counted and unlinkable, and you can no longer sign in. Safe to retry.',
    auth: 'required',
    responses: {
      200: { description: 'Deleted', schema: DeletedSchema },
      ...problemResponses(401, 409),
    },
  },
  // No Idempotency-Key answer is stored: it would be personal data kept after the deletion, and the
  // deletion is idempotent by itself.
  async ({ actor }) => {
    authorize(actor, { type: 'account.delete-own' });
    const deps = getDeps();
    const summary = await deps.personalData.eraseAccount(
      actor,
      deps.personalData.sources(),
      decisionContext(actor),
    );
    // After the data: if this fails, the person can sign in again and retry (new tokens are not refused).
    await deps.identityAdmin().deleteUser(actor.userId);
    return json(200, { deleted: true, ...summary }, { 'cache-control': 'no-store' });
  },
);

export const routes = [getMe, exportMe, deleteMe];

/** One Lambda function for a person's own account. */
export const handler = router(routes);
