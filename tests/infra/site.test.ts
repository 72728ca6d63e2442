import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/cdk/function.ts';
import {
  SITE_CLIENT_DIR,
  SITE_CONTENT_SECURITY_POLICY,
  SITE_LOCALES,
  SITE_SIGN_IN_CALLBACK,
} from '../../infra/cdk/site.ts';
import { locales } from '../../site/src/i18n/index.ts';
import { CALLBACK_PATH } from '../../site/src/lib/oidc.ts';
import { type Resource, referencedId, resourcesOf, synthesize } from './support/synth.ts';

// CloudFront's managed policies, by their fixed ids.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Behavior = {
  PathPattern?: string;
  TargetOriginId: string;
  ViewerProtocolPolicy: string;
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId: unknown;
  AllowedMethods?: string[];
  FunctionAssociations?: { EventType: string; FunctionARN: unknown }[];
};
type Origin = {
  Id: string;
  DomainName: unknown;
  S3OriginConfig?: unknown;
  OriginAccessControlId?: unknown;
  CustomOriginConfig?: { OriginProtocolPolicy: string; OriginSSLProtocols: string[] };
};

let template: Template;
let config: {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  Origins: Origin[];
  Logging?: { Bucket: unknown };
  ViewerCertificate?: Record<string, unknown>;
  Aliases?: string[];
};
beforeAll(async () => {
  ({ template } = await synthesize());
  const [[, distribution]] = resourcesOf(template, 'AWS::CloudFront::Distribution') as [[string, Resource]];
  config = distribution.Properties.DistributionConfig as typeof config;
});

const behaviorFor = (path: string) => config.CacheBehaviors.find((behavior) => behavior.PathPattern === path);
const originOf = (behavior: Behavior | undefined) =>
  config.Origins.find((origin) => origin.Id === behavior?.TargetOriginId);
const apiIdNamed = (prefix: string) =>
  resourcesOf(template, 'AWS::ApiGatewayV2::Api').find(([id]) => id.startsWith(prefix))?.[0];

describe('the site in AWS: CloudFront', () => {
  it('answers over HTTPS only, on every path', () => {
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(['redirect-to-https', 'https-only'], behavior.PathPattern).toContain(
        behavior.ViewerProtocolPolicy,
      );
    }
    for (const origin of config.Origins.filter((o) => o.CustomOriginConfig)) {
      expect(origin.CustomOriginConfig).toEqual({
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      });
    }
  });

  it("adds the site's security headers (the middleware's CSP) and HSTS on every path", () => {
    const middleware = readFileSync(join(repoRoot, 'site/src/middleware.ts'), 'utf8');
    expect(middleware).toContain(`"${SITE_CONTENT_SECURITY_POLICY}"`);
    const [[policyId, policy]] = resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy') as [
      [string, Resource],
    ];
    const headers = (policy.Properties.ResponseHeadersPolicyConfig as { SecurityHeadersConfig: unknown })
      .SecurityHeadersConfig;
    expect(headers).toMatchObject({
      ContentSecurityPolicy: { ContentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, Override: false },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'same-origin' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31_536_000, IncludeSubdomains: true },
    });
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(referencedId(behavior.ResponseHeadersPolicyId), behavior.PathPattern).toBe(policyId);
    }
  });

  it('sends pages to the page function uncached, with every cookie, header and the viewer host', () => {
    const pages = config.DefaultCacheBehavior;
    expect(pages.CachePolicyId).toBe(CACHING_DISABLED);
    expect(pages.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    expect(pages.AllowedMethods).toContain('POST');
    expect(JSON.stringify(originOf(pages)?.DomainName)).toContain(apiIdNamed('SitePagesApi'));
    const [association] = pages.FunctionAssociations ?? [];
    expect(association?.EventType).toBe('viewer-request');
    const [functionId, fn] = resourcesOf(template, 'AWS::CloudFront::Function')[0] ?? [];
    expect(referencedId(association?.FunctionARN)).toBe(functionId);
    expect(fn?.Properties.FunctionCode).toContain("request.headers['x-forwarded-host']");
  });

  it('sends /api/* and /feeds/* to the Plein API: the API never shared between callers, feeds cached briefly', () => {
    const policies = template.findResources('AWS::CloudFront::CachePolicy') as Record<string, Resource>;
    const ttl = (behavior: Behavior | undefined) =>
      policies[referencedId(behavior?.CachePolicyId) ?? '']?.Properties.CachePolicyConfig as {
        DefaultTTL: number;
        MaxTTL: number;
        ParametersInCacheKeyAndForwardedToOrigin: { HeadersConfig: { Headers?: string[] } };
      };
    const api = behaviorFor('/api/*');
    const feeds = behaviorFor('/feeds/*');
    for (const behavior of [api, feeds]) {
      expect(JSON.stringify(originOf(behavior)?.DomainName)).toContain(apiIdNamed('ApiHttpApi'));
      expect(behavior?.OriginRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST_HEADER);
    }
    expect(api?.AllowedMethods).toContain('POST');
    expect(ttl(api)).toMatchObject({ DefaultTTL: 0, MaxTTL: 1 });
    expect(ttl(api).ParametersInCacheKeyAndForwardedToOrigin.HeadersConfig.Headers).toEqual([
      'Authorization',
    ]);
    expect(ttl(feeds).DefaultTTL).toBeGreaterThan(0);
    expect(ttl(feeds).MaxTTL).toBeLessThanOrEqual(300);
    expect(feeds?.AllowedMethods).toEqual(['GET', 'HEAD']);
  });

  it('serves every built file from a private S3 bucket through origin access control, and deploys them', () => {
    const built = readdirSync(SITE_CLIENT_DIR);
    // The local server's precompressed copies (.br, .gz) are neither uploaded nor routed.
    const expected = built
      .filter((name) => !/\.(br|gz)$/.test(name))
      .map((name) => (statSync(join(SITE_CLIENT_DIR, name)).isDirectory() ? `/${name}/*` : `/${name}`));
    expect(expected).toContain('/_astro/*');
    for (const name of built.filter((candidate) => /\.(br|gz)$/.test(candidate))) {
      expect(behaviorFor(`/${name}`), name).toBeUndefined();
    }
    const [[bucketId, bucket]] = resourcesOf(template, 'AWS::S3::Bucket').filter(([id]) =>
      id.startsWith('SiteAssets'),
    ) as [[string, Resource]];
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const [oacId] = resourcesOf(template, 'AWS::CloudFront::OriginAccessControl')[0] ?? [];
    for (const path of expected) {
      const behavior = behaviorFor(path);
      expect(behavior?.CachePolicyId, path).toBe(CACHING_OPTIMIZED);
      const origin = originOf(behavior);
      expect(referencedId(origin?.OriginAccessControlId), path).toBe(oacId);
      expect(JSON.stringify(origin?.DomainName)).toContain(bucketId);
    }
    // Only CloudFront, for this distribution, may read the bucket (and nobody over plain HTTP).
    const [, policy] =
      resourcesOf(template, 'AWS::S3::BucketPolicy').find(
        ([, p]) => referencedId(p.Properties.Bucket) === bucketId,
      ) ?? [];
    const document = policy?.Properties.PolicyDocument as
      | { Statement: Record<string, unknown>[] }
      | undefined;
    const statements = document?.Statement ?? [];
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
    const [, deployment] = resourcesOf(template, 'Custom::CDKBucketDeployment')[0] ?? [];
    expect(referencedId(deployment?.Properties.DestinationBucketName)).toBe(bucketId);
    expect(deployment?.Properties.Prune).toBe(false);
  });

  it('writes access logs to a bucket of their own that expires them', () => {
    const [logsId, logs] =
      resourcesOf(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('SiteAccessLogs')) ?? [];
    expect(referencedId(config.Logging?.Bucket)).toBe(logsId);
    expect(JSON.stringify(logs?.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":14');
  });

  it("runs the page function from the Astro build's server folder, calling the Plein API", () => {
    const [, pages] =
      resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('SitePages')) ?? [];
    expect(pages?.Properties.Handler).toBe('server/index.handler');
    const environment = pages?.Properties.Environment as { Variables: Record<string, unknown> } | undefined;
    expect(JSON.stringify(environment?.Variables.PLEIN_API_URL)).toContain(apiIdNamed('ApiHttpApi'));
  });
});

type Client = {
  AllowedOAuthFlows?: string[];
  AllowedOAuthFlowsUserPoolClient?: boolean;
  AllowedOAuthScopes?: string[];
  CallbackURLs?: unknown[];
  LogoutURLs?: unknown[];
  GenerateSecret?: boolean;
  SupportedIdentityProviders?: string[];
};
const webClientOf = (of: Template) => {
  const [[id, client]] = resourcesOf(of, 'AWS::Cognito::UserPoolClient') as [[string, Resource]];
  return { id, properties: client.Properties as Client };
};
const distributionIdOf = (of: Template) => resourcesOf(of, 'AWS::CloudFront::Distribution')[0]?.[0];

describe("the site's sign-in in AWS: Cognito's hosted sign-in", () => {
  it('names the same callback path and languages as the site', () => {
    expect(SITE_SIGN_IN_CALLBACK).toBe(CALLBACK_PATH);
    expect([...SITE_LOCALES]).toEqual([...locales]);
  });

  it('gives the user pool a hosted sign-in domain of its own, per stage and stack', () => {
    const [poolId] = resourcesOf(template, 'AWS::Cognito::UserPool')[0] ?? [];
    const [[, domain]] = resourcesOf(template, 'AWS::Cognito::UserPoolDomain') as [[string, Resource]];
    expect(referencedId(domain.Properties.UserPoolId)).toBe(poolId);
    const prefix = JSON.stringify(domain.Properties.Domain);
    expect(prefix).toContain('"plein-dev"');
    expect(prefix).toContain('AWS::StackId');
    // Classic hosted pages: the newer managed login would need a branding resource.
    expect(domain.Properties.ManagedLoginVersion ?? 1).toBe(1);
  });

  it('lets the web client use the authorization code grant only, without a secret, for openid email profile', () => {
    const { properties } = webClientOf(template);
    expect(properties.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(properties.AllowedOAuthFlows).toEqual(['code']);
    expect([...(properties.AllowedOAuthScopes ?? [])].sort()).toEqual(['email', 'openid', 'profile']);
    expect(properties.GenerateSecret).toBe(false);
    expect(properties.SupportedIdentityProviders).toEqual(['COGNITO']);
  });

  it("sends people back to the site's callback only, and after sign-out to its home pages", () => {
    const { properties } = webClientOf(template);
    const distribution = distributionIdOf(template) ?? 'missing';
    const site = (path: string) => ({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, path]],
    });
    expect(properties.CallbackURLs).toEqual([site('/auth/callback')]);
    expect(properties.LogoutURLs).toEqual([site('/nl/'), site('/en/'), site('/tr/')]);
  });

  it('tells the page function the issuer, the web client and the hosted sign-out', () => {
    const [, pages] =
      resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('SitePages')) ?? [];
    const variables =
      (pages?.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
    const [poolId] = resourcesOf(template, 'AWS::Cognito::UserPool')[0] ?? [];
    const [domainId] = resourcesOf(template, 'AWS::Cognito::UserPoolDomain')[0] ?? [];
    expect(JSON.stringify(variables.PLEIN_OIDC_ISSUER)).toContain(
      `{"Fn::GetAtt":["${poolId}","ProviderURL"]}`,
    );
    expect(referencedId(variables.PLEIN_OIDC_CLIENT_ID)).toBe(webClientOf(template).id);
    expect(JSON.stringify(variables.PLEIN_OIDC_LOGOUT_URL)).toContain(`{"Ref":"${domainId}"}`);
    expect(JSON.stringify(variables.PLEIN_OIDC_LOGOUT_URL)).toMatch(/amazoncognito\.com\/logout"/);
  });
});

describe('the site on its own domain', () => {
  it('answers for the names of siteDomain with its certificate, TLS 1.2 or newer', async () => {
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const { template: withDomain } = await synthesize({
      stageSettings: { siteDomain: { names: ['plein.example.org'], certificateArn } },
    });
    const [[, distribution]] = resourcesOf(withDomain, 'AWS::CloudFront::Distribution') as [
      [string, Resource],
    ];
    // Hosted sign-in comes back to the custom name too, besides CloudFront's own.
    const { properties } = webClientOf(withDomain);
    expect(properties.CallbackURLs).toHaveLength(2);
    expect(properties.CallbackURLs).toContainEqual('https://plein.example.org/auth/callback');
    expect(properties.LogoutURLs).toContainEqual('https://plein.example.org/tr/');
    expect(distribution.Properties.DistributionConfig).toMatchObject({
      Aliases: ['plein.example.org'],
      ViewerCertificate: {
        AcmCertificateArn: certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
  });
});
