import * as z from 'zod';

/**
 * The moderation state the API adds to an item for its owners and staff (never for anyone else):
 * hidden by the municipality with a reason, and the owners' appeal if they made one.
 */
export const ModerationSchema = z.object({
  status: z.enum(['visible', 'hidden']),
  reason: z.string().optional(),
  hiddenAt: z.string().optional(),
  appeal: z
    .object({
      status: z.enum(['pending', 'upheld', 'reversed']),
      text: z.string(),
      appealedAt: z.string(),
      decidedAt: z.string().optional(),
      decisionReason: z.string().optional(),
    })
    .optional(),
});
export type Moderation = z.infer<typeof ModerationSchema>;
