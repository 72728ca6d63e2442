import { aws_logs as logs } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import * as z from 'zod';
import { RateLimitPolicySchema } from '#shared/domain/rate-limit.ts';

const retentionDays = new Set(Object.values(logs.RetentionDays).filter((value) => typeof value === 'number'));
const RetentionSchema = z
  .number()
  .int()
  .refine(
    (days) => retentionDays.has(days),
    'must be one of CloudWatch Logs retention values (1, 3, 5, 7, 14, 30, 60, 90, 180, 365, ...)',
  );

const StageConfigSchema = z
  .object({
    /** Fixed, because municipalities' rules and cross-account targets will name it. */
    busName: z.string().regex(/^[\w.-]{1,256}$/),
    logRetentionDays: RetentionSchema,
    /** 0 keeps archived events forever; events carry personal data, so keep it finite. */
    archiveRetentionDays: z.number().int().min(0),
    apiThrottle: z.object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() }),
    /**
     * Write budgets per account, per source address and for new accounts (`shared/domain/rate-limit.ts`),
     * over the code's defaults; checked here so that a typo fails the synth, not the first write.
     */
    rateLimits: z
      .record(z.string(), z.unknown())
      .superRefine((value, ctx) => {
        const result = RateLimitPolicySchema.strict().safeParse(value);
        for (const issue of result.error?.issues ?? [])
          ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      })
      .optional(),
    /** The sender of channel emails: an identity verified in SES in the account and region deployed to. */
    mailFrom: z.email(),
    /**
     * The site's own domain (optional): CloudFront answers for these names with this certificate,
     * which must be an ACM certificate in us-east-1 (CloudFront's region) covering every name.
     */
    siteDomain: z
      .object({
        names: z.array(z.string().regex(/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/)).min(1),
        certificateArn: z.string().regex(/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/),
      })
      .strict()
      .optional(),
  })
  .strict();

export type StageConfig = z.infer<typeof StageConfigSchema> & { name: string };

/**
 * The stage to build, chosen with `-c stage=<name>` (dev when absent), and its settings from the
 * `plein:stages` context in cdk.json. A typo fails the synth instead of deploying half-configured.
 */
export function stageConfigFrom(node: Node): StageConfig {
  const name = String(node.tryGetContext('stage') ?? 'dev');
  const stages = (node.tryGetContext('plein:stages') ?? {}) as Record<string, unknown>;
  const raw = stages[name];
  if (raw === undefined) {
    throw new Error(
      `Unknown stage "${name}": cdk.json's plein:stages has ${Object.keys(stages).join(', ') || 'none'}.`,
    );
  }
  const parsed = StageConfigSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`Stage "${name}" in cdk.json: ${z.prettifyError(parsed.error)}`);
  return { ...parsed.data, name };
}
