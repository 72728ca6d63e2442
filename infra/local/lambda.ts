import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** A Lambda context as the runtime would pass it; the local runtime invokes real handler modules with it. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Loads a handler the way Lambda does, from `<module path>.<export>` relative to the repository root
 * (the same string the CDK stack bundles).
 */
export async function loadHandler(reference: string): Promise<LambdaHandler> {
  const dot = reference.lastIndexOf('.');
  const modulePath = reference.slice(0, dot);
  const exportName = reference.slice(dot + 1);
  const module = (await import(new URL(`../../${modulePath}.ts`, import.meta.url).href)) as Record<
    string,
    unknown
  >;
  const handler = module[exportName];
  if (typeof handler !== 'function') throw new Error(`${reference} is not a function`);
  return handler as LambdaHandler;
}
