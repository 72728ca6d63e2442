import * as z from 'zod';
import { segment, send } from './api.ts';

/** Reporting an item to its municipality, and an owner's appeal against hiding it. */

export const reportKinds = ['initiative', 'poll'] as const;
export type ReportKind = (typeof reportKinds)[number];

export const reportCategories = [
  'spam',
  'offensive',
  'personal-data',
  'illegal',
  'misleading',
  'other',
] as const;

const ReportSchema = z.object({ id: z.string() });
const CaseSchema = z.object({ status: z.enum(['visible', 'hidden']) });

export function createModerationApi(token: string | undefined) {
  return {
    report: (body: Record<string, unknown>, idempotencyKey: string) =>
      send(ReportSchema, 'POST', '/api/reports', { token, body, idempotencyKey }),
    appeal: (kind: ReportKind, id: string, text: string, idempotencyKey: string) =>
      send(CaseSchema, 'POST', `/api/moderation/${kind}/${segment(id)}/appeal`, {
        token,
        body: { text },
        idempotencyKey,
      }),
  };
}
export type ModerationApi = ReturnType<typeof createModerationApi>;
