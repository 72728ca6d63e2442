import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/**
 * An HTTP API stage's access log line: which request, when, which route, the answer and its time,
 * plus `more` of the stage's own. No headers, bodies or caller ids: personal data stays out.
 */
export function accessLogFormat(more: Record<string, string>): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      time: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
      ...more,
    }),
  );
}
