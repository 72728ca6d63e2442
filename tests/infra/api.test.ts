import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeGroups } from '#functions/http/api.ts';
import type { Route } from '#functions/http/route.ts';
import { repoRoot } from '#infra/cdk/function.ts';
import { type Resource, referencedId, resourcesOf, synthesize } from './support/synth.ts';

/**
 * Writes anyone may send without signing in, each with why. Empty today: a write route that is not
 * `auth: 'required'` fails the test below until it is listed here, so the choice is made on purpose.
 */
const documentedAnonymousWrites: Record<string, string> = {};

const stageRateLimits = (
  JSON.parse(readFileSync(`${repoRoot}cdk.json`, 'utf8')) as {
    context: { 'plein:stages': { dev: { rateLimits: unknown } } };
  }
).context['plein:stages'].dev.rateLimits;

let template: Template;
let specs: Route['spec'][];
beforeAll(async () => {
  ({ template } = await synthesize());
  specs = (await Promise.all(routeGroups.map((group) => group.load()))).flatMap((module) =>
    module.routes.map((r) => r.spec),
  );
});

/** Resources of the Plein API, not of the site's own HTTP API for pages (tests/infra/site.test.ts). */
const apiResources = (type: string) => {
  const [apiId] =
    resourcesOf(template, 'AWS::ApiGatewayV2::Api').find(([id]) => id.startsWith('ApiHttpApi')) ?? [];
  return resourcesOf(template, type).filter(
    ([, resource]) => referencedId(resource.Properties.ApiId) === apiId,
  );
};

const routeFor = (spec: Route['spec']) => {
  const key = `${spec.method} ${spec.path}`;
  const found = apiResources('AWS::ApiGatewayV2::Route').filter(
    ([, route]) => route.Properties.RouteKey === key,
  );
  expect(found, key).toHaveLength(1);
  return (found[0] as [string, Resource])[1];
};

describe('HTTP API', () => {
  it('has one route per spec, and no other', () => {
    expect(apiResources('AWS::ApiGatewayV2::Route')).toHaveLength(specs.length);
    for (const spec of specs) routeFor(spec);
  });

  it("puts the Cognito JWT authorizer on every 'required' route and on no other", () => {
    const [authorizerId, authorizer] = resourcesOf(template, 'AWS::ApiGatewayV2::Authorizer')[0] ?? [];
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
    const [poolId] = resourcesOf(template, 'AWS::Cognito::UserPool')[0] ?? [];
    const [clientId] = resourcesOf(template, 'AWS::Cognito::UserPoolClient')[0] ?? [];
    const jwt = authorizer?.Properties.JwtConfiguration as { Audience: unknown[]; Issuer: unknown };
    expect(jwt.Audience.map(referencedId)).toEqual([clientId]);
    expect(JSON.stringify(jwt.Issuer)).toContain(`"${poolId}"`);

    for (const spec of specs) {
      const route = routeFor(spec);
      if (spec.auth === 'required') {
        expect(route.Properties.AuthorizationType, spec.operationId).toBe('JWT');
        expect(referencedId(route.Properties.AuthorizerId), spec.operationId).toBe(authorizerId);
      } else {
        expect(route.Properties.AuthorizationType, spec.operationId).toBe('NONE');
      }
    }
  });

  it("makes every write route 'required', unless it is documented as an anonymous write", () => {
    for (const spec of specs.filter((s) => s.method !== 'GET')) {
      const key = `${spec.method} ${spec.path}`;
      if (spec.auth !== 'required')
        expect(documentedAnonymousWrites[key], `${key} is ${spec.auth}`).toBeDefined();
    }
  });

  it("tells handlers Cognito's issuer, the app client as audience and the JWKS URL", () => {
    const integrations = apiResources('AWS::ApiGatewayV2::Integration');
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    // Which functions serve a write route: each route names its integration, each integration its function.
    const functionWrites = new Map<string, boolean>();
    for (const [, route] of apiResources('AWS::ApiGatewayV2::Route')) {
      const target = integrations.find(([id]) =>
        JSON.stringify(route.Properties.Target).includes(`"${id}"`),
      )?.[1];
      const fnId = referencedId(target?.Properties.IntegrationUri) ?? '';
      const write = !String(route.Properties.RouteKey).startsWith('GET ');
      functionWrites.set(fnId, (functionWrites.get(fnId) ?? false) || write);
    }
    expect([...functionWrites.values()]).toContain(false);
    expect(integrations).toHaveLength(routeGroups.length);
    for (const [id, integration] of integrations) {
      const fn = functions[referencedId(integration.Properties.IntegrationUri) ?? ''];
      const variables =
        (fn?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
      // The Parameters and Secrets extension brings settings of its own; the rest is ours, exactly.
      const ours = Object.keys(variables).filter(
        (name) => !/^(PARAMETERS_SECRETS_EXTENSION_|SECRETS_MANAGER_|SSM_PARAMETER_STORE_)/.test(name),
      );
      const secrets = ['BALLOT_KEY_SECRET_ID', 'CHANNEL_SECRET_KEY_SECRET_ID'].filter(
        (name) => name in variables,
      );
      const writes = functionWrites.get(referencedId(integration.Properties.IntegrationUri) ?? '');
      // The stage's write budgets, exactly as cdk.json says, to every function with a write route.
      if (writes) expect(JSON.parse(String(variables.RATE_LIMITS)), id).toEqual(stageRateLimits);
      expect(ours.sort(), id).toEqual(
        [
          'JWKS_URL',
          'JWT_AUDIENCE',
          'JWT_ISSUER',
          'NODE_OPTIONS',
          'PLEIN_MODE',
          'TABLE_NAME',
          ...secrets,
          ...(writes ? ['RATE_LIMITS'] : []),
        ].sort(),
      );
      expect(variables.PLEIN_MODE).toBe('aws');
      expect(JSON.stringify(variables.JWKS_URL)).toContain('/.well-known/jwks.json');
    }
  });

  it('throttles the default stage and writes access logs to a log group with a retention', () => {
    const [, stage] = apiResources('AWS::ApiGatewayV2::Stage')[0] ?? [];
    expect(stage?.Properties).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      },
    });
    const logs = stage?.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(JSON.parse(logs.Format)).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    const logGroup = template.findResources('AWS::Logs::LogGroup')[referencedId(logs.DestinationArn) ?? ''];
    expect(logGroup?.Properties.RetentionInDays).toBeGreaterThan(0);
  });
});

describe('deleting accounts', () => {
  it('lets exactly the route groups that delete users call AdminDeleteUser, on the user pool only', () => {
    const granted = resourcesOf(template, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('cognito-idp:AdminDeleteUser'),
    );
    const deleting = routeGroups.filter((group) => 'deletesUsers' in group && group.deletesUsers);
    expect(deleting.map((group) => group.name)).toEqual(['me']);
    expect(granted.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiMe\w*Policy/)]);
    const [, policy] = granted[0] as [string, Resource];
    const statements = (
      policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }
    ).Statement;
    const statement = statements.find((candidate) =>
      JSON.stringify(candidate.Action).includes('AdminDeleteUser'),
    );
    expect(JSON.stringify(statement?.Resource)).toContain('IdentityUserPool');
  });
});

describe('the ballot key', () => {
  it('is read by the polls function alone, through the secrets extension', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const readers = functions.filter(([, fn]) =>
      JSON.stringify(
        (fn.Properties.Environment as { Variables?: unknown } | undefined)?.Variables ?? {},
      ).includes('BALLOT_KEY_SECRET_ID'),
    );
    expect(readers.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiPolls/)]);
    expect(JSON.stringify(readers[0]?.[1].Properties.Layers)).toContain('Paramsandsecrets');
    const [secretId] =
      resourcesOf(template, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('PollsBallotKey')) ??
      [];
    const grants = resourcesOf(template, 'AWS::IAM::Policy').filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes(`"Ref":"${secretId}"`),
    );
    expect(grants).toHaveLength(1);
  });
});
