import * as z from 'zod';

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
