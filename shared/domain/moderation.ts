import * as z from 'zod';
import { defineEvent, sources } from '../events/catalog.ts';
import { IsoDateTimeSchema, SlugSchema, text, UlidSchema } from './common.ts';

/** What can be reported and hidden: an initiative, a request for help, a poll. */
export const ModerationTargetKindSchema = z.enum(['initiative', 'request', 'poll']);
export type ModerationTargetKind = z.infer<typeof ModerationTargetKindSchema>;

export const ReportCategorySchema = z.enum([
  'spam',
  'offensive',
  'personal-data',
  'illegal',
  'misleading',
  'other',
]);

export const ReportContentSchema = z
  .object({
    kind: ModerationTargetKindSchema,
    targetId: UlidSchema,
    category: ReportCategorySchema,
    text: text(1, 1000).optional(),
  })
  .strict()
  .meta({ id: 'ReportContent' });
export type ReportContent = z.infer<typeof ReportContentSchema>;

/** A report as stored: the reporter's id is kept (to follow up abuse) but shown to nobody. */
export const ReportSchema = z
  .object({
    id: UlidSchema,
    kind: ModerationTargetKindSchema,
    targetId: UlidSchema,
    municipalityId: SlugSchema,
    category: ReportCategorySchema,
    text: z.string().optional(),
    reporterId: z.string(),
    createdAt: IsoDateTimeSchema,
  })
  .meta({ id: 'StoredReport' });
export type Report = z.infer<typeof ReportSchema>;

/** What staff see of a report: everything but who made it. */
export const ReportViewSchema = ReportSchema.omit({ reporterId: true }).meta({ id: 'Report' });

export const HideContentSchema = z
  .object({ reason: text(5, 1000) })
  .strict()
  .meta({ id: 'HideContent' });
export const RestoreContentSchema = z
  .object({ reason: text(5, 1000) })
  .strict()
  .meta({ id: 'RestoreContent' });
export const AppealSchema = z
  .object({ text: text(10, 2000) })
  .strict()
  .meta({ id: 'Appeal' });
export const AppealDecisionSchema = z
  .object({ outcome: z.enum(['uphold', 'reverse']), reason: text(5, 1000) })
  .strict()
  .meta({ id: 'AppealDecision' });
export type AppealDecision = z.infer<typeof AppealDecisionSchema>;

/** The moderation state of one item; an item without one is simply visible. */
export const ModerationCaseSchema = z
  .object({
    kind: ModerationTargetKindSchema,
    targetId: UlidSchema,
    municipalityId: SlugSchema,
    status: z.enum(['visible', 'hidden']),
    /** Why it was hidden, shown to its owners; absent while visible. */
    reason: z.string().optional(),
    hiddenAt: IsoDateTimeSchema.optional(),
    appeal: z
      .object({
        status: z.enum(['pending', 'upheld', 'reversed']),
        text: z.string(),
        appealedAt: IsoDateTimeSchema,
        decidedAt: IsoDateTimeSchema.optional(),
        decisionReason: z.string().optional(),
      })
      .optional(),
    updatedAt: IsoDateTimeSchema,
    revision: z.number().int().nonnegative(),
  })
  .meta({ id: 'ModerationCase' });
export type ModerationCase = z.infer<typeof ModerationCaseSchema>;

/** What an owner (or staff) sees on the item itself. */
export const ModerationViewSchema = ModerationCaseSchema.pick({
  status: true,
  reason: true,
  hiddenAt: true,
  appeal: true,
}).meta({ id: 'ModerationView' });

export function moderationView(moderation: ModerationCase) {
  const { status, reason, hiddenAt, appeal } = moderation;
  return {
    status,
    ...(reason ? { reason } : {}),
    ...(hiddenAt ? { hiddenAt } : {}),
    ...(appeal ? { appeal } : {}),
  };
}

const TargetSchema = z.object({ kind: ModerationTargetKindSchema, id: UlidSchema });

// Moderation events reach the municipality's own channels only (never the public feeds), and carry no
// reporter, no report text and no appeal text: those stay with staff and the owners.
export const ContentReported = defineEvent({
  name: 'ContentReported',
  source: sources.moderation,
  version: 1,
  description: 'Someone reported an initiative, request or poll to its municipality (reporter withheld).',
  data: z.object({ reportId: UlidSchema, target: TargetSchema, category: ReportCategorySchema }),
});

export const ContentHidden = defineEvent({
  name: 'ContentHidden',
  source: sources.moderation,
  version: 1,
  description: "The municipality's staff (or the platform admin) hid an item, with a reason.",
  data: z.object({ target: TargetSchema, reason: z.string() }),
});

export const ContentRestored = defineEvent({
  name: 'ContentRestored',
  source: sources.moderation,
  version: 1,
  description: 'Staff made a hidden item visible again.',
  data: z.object({ target: TargetSchema, reason: z.string() }),
});

export const HideAppealed = defineEvent({
  name: 'HideAppealed',
  source: sources.moderation,
  version: 1,
  description: "A hidden item's owners appealed; staff decide.",
  data: z.object({ target: TargetSchema }),
});

export const AppealDecided = defineEvent({
  name: 'AppealDecided',
  source: sources.moderation,
  version: 1,
  description: 'Staff upheld a hide (it stays hidden) or reversed it (visible again).',
  data: z.object({ target: TargetSchema, outcome: z.enum(['upheld', 'reversed']), reason: z.string() }),
});
