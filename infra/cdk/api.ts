import {
  aws_apigatewayv2 as apigw,
  CfnOutput,
  type aws_dynamodb as dynamodb,
  aws_logs as logs,
  type aws_secretsmanager as secretsmanager,
  Validations,
} from 'aws-cdk-lib';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { RouteSpec } from '#functions/http/route.ts';
import { accessLogFormat } from './access-log.ts';
import { type BuildTime, bindTable, pascalCase, pleinFunction } from './function.ts';
import type { Identity } from './identity.ts';

type Spec = Pick<RouteSpec<never, never, never>, 'method' | 'path' | 'auth' | 'operationId' | 'summary'>;

/** A route group of functions/http/api.ts with its specs loaded (the CDK app awaits `load()`). */
export interface LoadedRouteGroup {
  name: string;
  entry: string;
  routes: readonly { spec: Spec }[];
  secrets: readonly SecretName[];
  /** The group's function may delete users from the user pool (it finds the pool's id in JWT_ISSUER). */
  deletesUsers: boolean;
  /** What the group's bundle has built in at synth (the meta group: the OpenAPI document). */
  buildTime?: BuildTime;
}

export type SecretName = 'ballotKey' | 'channelKey';
/** The environment variable through which a function learns where each secret is. */
const secretEnvironment: Record<SecretName, string> = {
  ballotKey: 'BALLOT_KEY_SECRET_ID',
  channelKey: 'CHANNEL_SECRET_KEY_SECRET_ID',
};

export interface ApiProps {
  routeGroups: readonly LoadedRouteGroup[];
  table: dynamodb.ITable;
  identity: Identity;
  throttle: { rateLimit: number; burstLimit: number };
  /** The stage's write budgets (`RATE_LIMITS`), when it sets its own. */
  rateLimits?: unknown;
  logRetention: logs.RetentionDays;
  secrets: Record<SecretName, secretsmanager.ISecret>;
}

const isWrite = (method: Spec['method']) => method !== 'GET';

const apiAccessLogFormat = accessLogFormat({
  integrationLatencyMs: '$context.integrationLatency',
  responseLength: '$context.responseLength',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/**
 * The HTTP API: one function per route group, one route per spec. Routes whose spec says
 * `auth: 'required'` pass Cognito's JWT authorizer first; 'optional' and 'none' routes reach the
 * handler, which verifies a token itself when one is sent.
 */
export class Api extends Construct {
  readonly httpApi: apigw.HttpApi;
  readonly functions: NodejsFunction[] = [];

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { identity } = props;
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      description: 'Plein HTTP API',
      // Made below, with throttling and access logs, which the default stage cannot take.
      createDefaultStage: false,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(
          new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention }),
        ),
        format: apiAccessLogFormat,
      },
    });
    const authorizer = new HttpUserPoolAuthorizer('Cognito', identity.userPool, {
      userPoolClients: [identity.client],
    });

    for (const group of props.routeGroups) {
      const fn = pleinFunction(this, pascalCase(group.name), {
        entry: group.entry,
        description: `HTTP API routes: ${group.name}`,
        logRetention: props.logRetention,
        ...(group.secrets.length > 0 ? { paramsAndSecrets: true } : {}),
        ...(group.buildTime ? { buildTime: group.buildTime } : {}),
        environment: {
          JWT_ISSUER: identity.issuer,
          JWT_AUDIENCE: identity.client.userPoolClientId,
          JWKS_URL: identity.jwksUrl,
        },
      });
      // Each secret to the groups that name it, read through the Parameters and Secrets extension:
      // the bundle carries no Secrets Manager client.
      for (const name of group.secrets) {
        props.secrets[name].grantRead(fn);
        fn.addEnvironment(secretEnvironment[name], props.secrets[name].secretArn);
      }
      if (props.rateLimits !== undefined && group.routes.some(({ spec }) => isWrite(spec.method)))
        fn.addEnvironment('RATE_LIMITS', JSON.stringify(props.rateLimits));
      // A group that only answers GETs gets only read access.
      bindTable(
        fn,
        props.table,
        group.routes.some(({ spec }) => isWrite(spec.method)) ? 'readWrite' : 'read',
      );
      if (group.deletesUsers) identity.userPool.grant(fn, 'cognito-idp:AdminDeleteUser');
      this.functions.push(fn);

      const integration = new HttpLambdaIntegration(`${pascalCase(group.name)}Integration`, fn);
      for (const { spec } of group.routes) {
        const route = new apigw.HttpRoute(this, spec.operationId, {
          httpApi: this.httpApi,
          routeKey: apigw.HttpRouteKey.with(spec.path, apigw.HttpMethod[spec.method]),
          integration,
          ...(spec.auth === 'required' ? { authorizer } : {}),
        });
        if (spec.auth !== 'required') {
          Validations.of(route).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              spec.auth === 'none'
                ? `Public by design (spec auth "none"): ${spec.summary}`
                : `Anonymous callers are served too (spec auth "optional"): ${spec.summary} ` +
                  'The handler verifies a bearer token against the same Cognito issuer when one is sent.',
          });
        }
      }
    }

    new CfnOutput(this, 'Url', { value: stage.url, description: 'The HTTP API endpoint' });
  }
}
