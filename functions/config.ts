import * as z from 'zod';
import { type RateLimitPolicy, RateLimitPolicySchema } from '#shared/domain/rate-limit.ts';

const TableConfigSchema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Set only for DynamoDB Local. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('eu-west-1'),
  PLEIN_MODE: z.enum(['local', 'aws']).default('aws'),
});

const AuthConfigSchema = z.object({
  /** The token issuer: Cognito's user pool URL in AWS, the development issuer locally. */
  JWT_ISSUER: z.url(),
  JWT_AUDIENCE: z.string().min(1),
  JWKS_URL: z.url(),
});

export type TableConfig = z.infer<typeof TableConfigSchema>;
export type AuthConfig = z.infer<typeof AuthConfigSchema>;

/** Parses a part of the environment once per cold start, failing loudly when it is incomplete. */
function once<T>(schema: z.ZodType<T>): () => T {
  let cached: T | undefined;
  return () => {
    if (cached === undefined) {
      const parsed = schema.safeParse(process.env);
      if (!parsed.success) throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
      cached = parsed.data;
    }
    return cached;
  };
}

export const tableConfig = once(TableConfigSchema);
export const authConfig = once(AuthConfigSchema);

let rateLimits: { raw: string | undefined; policy: RateLimitPolicy } | undefined;

/**
 * The write budgets (`shared/domain/rate-limit.ts`), with `RATE_LIMITS` (JSON, any part of the policy)
 * over the defaults. Parsed again only when the variable changes, so a test hub can set its own.
 */
export function rateLimitPolicy(): RateLimitPolicy {
  const raw = process.env.RATE_LIMITS;
  if (!rateLimits || rateLimits.raw !== raw) {
    let input: unknown = {};
    try {
      input = raw ? JSON.parse(raw) : {};
    } catch {
      throw new Error('Invalid configuration: RATE_LIMITS is not JSON');
    }
    const parsed = RateLimitPolicySchema.safeParse(input);
    if (!parsed.success)
      throw new Error(`Invalid configuration: RATE_LIMITS: ${z.prettifyError(parsed.error)}`);
    rateLimits = { raw, policy: parsed.data };
  }
  return rateLimits.policy;
}
