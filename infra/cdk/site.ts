import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  aws_certificatemanager as acm,
  aws_apigatewayv2 as apigw,
  CfnOutput,
  aws_cloudfront as cloudfront,
  Duration,
  Fn,
  aws_logs as logs,
  aws_cloudfront_origins as origins,
  RemovalPolicy,
  Stack,
  aws_s3 as s3,
  aws_s3_deployment as s3deploy,
  Validations,
} from 'aws-cdk-lib';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { accessLogFormat } from './access-log.ts';
import { pleinFunction, repoRoot } from './function.ts';
import type { Identity } from './identity.ts';
import { nagNames } from './nag-names.ts';
import type { StageConfig } from './stage.ts';

export const SITE_CLIENT_DIR = join(repoRoot, 'site/dist/client');

/** Where Cognito's hosted sign-in sends people back (`CALLBACK_PATH` in site/src/lib/oidc.ts). */
export const SITE_SIGN_IN_CALLBACK = '/auth/callback';
/** The site's languages (site/src/i18n): sign-out comes back to the language's home page. */
export const SITE_LOCALES = ['nl', 'en', 'tr'] as const;

/**
 * The site's Content-Security-Policy, as `site/src/middleware.ts` sets it on every page. CloudFront
 * adds it where the page function does not answer (files from S3, the API) and keeps the page's own.
 */
export const SITE_CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * CloudFront sends API Gateway its own host name; the page function needs the one the browser used
 * (Astro compares it with a form post's Origin). This viewer-request function passes it on.
 */
const FORWARD_HOST = `function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}`;

export interface SiteProps {
  /** The HTTP API's endpoint: pages call it, and CloudFront sends `/api/*` and `/feeds/*` to it. */
  apiEndpoint: string;
  logRetention: logs.RetentionDays;
  domain?: StageConfig['siteDomain'];
  /** The user pool whose hosted sign-in the site uses; its web client learns the site's addresses. */
  identity: Identity;
}

/**
 * The site in AWS: CloudFront in front of everything. Pages come from a Lambda function running the
 * Astro build (`site/lambda.ts`) behind an HTTP API of its own; `/_astro/*` and the other built files
 * from a private S3 bucket read through origin access control; `/api/*` and `/feeds/*` from the
 * Plein API.
 *
 * Why an HTTP API and not a Lambda function URL with origin access control: through OAC, Lambda
 * accepts a POST only when the viewer sends the SHA-256 of its body in `x-amz-content-sha256`, which
 * a browser's plain form post never does, and every form of the site posts.
 */
export class Site extends Construct {
  readonly pages: NodejsFunction;
  readonly distribution: cloudfront.Distribution;
  readonly assets: s3.Bucket;
  readonly pagesApi: apigw.HttpApi;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    if (!existsSync(SITE_CLIENT_DIR)) {
      throw new Error(`The site is not built (${SITE_CLIENT_DIR} is missing): run npm run build:site first.`);
    }

    this.pages = pleinFunction(this, 'Pages', {
      entry: 'site/lambda.ts',
      description: 'Server-rendered pages of the Astro site',
      logRetention: props.logRetention,
      // The Astro Node adapter finds its files from its own path, under a `server` folder.
      folder: 'server',
      environment: { PLEIN_API_URL: props.apiEndpoint },
    });

    this.pagesApi = new apigw.HttpApi(this, 'PagesApi', {
      description: 'Plein site pages (reached through CloudFront)',
      createDefaultStage: false,
    });
    new apigw.HttpStage(this, 'PagesStage', {
      httpApi: this.pagesApi,
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(
          new logs.LogGroup(this, 'PagesAccessLogs', { retention: props.logRetention }),
        ),
        format: accessLogFormat({ integrationError: '$context.integrationErrorMessage' }),
      },
    });
    const pagesRoute = new apigw.HttpRoute(this, 'PagesRoute', {
      httpApi: this.pagesApi,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('PagesIntegration', this.pages),
    });
    Validations.of(pagesRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Public pages by design: anyone may read the site. A signed-in visitor is recognised by the ' +
        'session cookie the site verifies itself, and every call it makes goes to the API, whose ' +
        'write routes all pass the Cognito authorizer.',
    });

    this.assets = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Built files only: the next deployment puts them back.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.assets).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only CloudFront reads this bucket (origin access control, no public access), and the ' +
        "distribution's access logs record every request for its files.",
    });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are delivered with an ACL, which object ownership must allow.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.logRetention) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This is the access-log bucket itself (CloudFront's standard logs): logging its own access " +
        'into another bucket would go on without end.',
    });

    const apiOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', props.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const pagesOrigin = new origins.HttpOrigin(Fn.select(2, Fn.split('/', this.pagesApi.apiEndpoint)), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    const assetsOrigin = origins.S3BucketOrigin.withOriginAccessControl(this.assets);

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Plein: the security headers of site/src/middleware.ts, plus HSTS',
      securityHeadersBehavior: {
        // The page's own policy wins; files from S3 and the API get the same one.
        contentSecurityPolicy: { contentSecurityPolicy: SITE_CONTENT_SECURITY_POLICY, override: false },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    // The API: never cached for one caller and served to another. Authorization is in the cache key
    // (CloudFront forwards it only so), and nothing is kept longer than a second.
    const apiCache = new cloudfront.CachePolicy(this, 'ApiCache', {
      comment: 'Plein API: effectively uncached; Authorization forwarded',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(1),
      headerBehavior: cloudfront.CacheHeaderBehavior.allowList('Authorization'),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
    });
    // Atom feeds are public and read by feed readers every few minutes: a minute at the edge.
    const feedsCache = new cloudfront.CachePolicy(this, 'FeedsCache', {
      comment: 'Plein feeds: public, cached briefly',
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.minutes(5),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const toApi: cloudfront.BehaviorOptions = {
      origin: apiOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: apiCache,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: headers,
    };
    const toAssets: cloudfront.BehaviorOptions = {
      origin: assetsOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    };
    // Every top-level entry of the build's client folder (`_astro/`, `favicon.svg`, …) comes from S3.
    const staticPaths = readdirSync(SITE_CLIENT_DIR)
      .filter((name) => !/\.(br|gz)$/.test(name)) // the local server's precompressed copies, not uploaded
      .map((name) => (statSync(join(SITE_CLIENT_DIR, name)).isDirectory() ? `/${name}/*` : `/${name}`));

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Plein: pages, built files and the API',
      defaultBehavior: {
        origin: pagesOrigin,
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        // Pages carry the visitor's session and CSRF token: never cached, every cookie passed on.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'ForwardHost', {
              comment: 'Passes the viewer host on to the page function',
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              code: cloudfront.FunctionCode.fromInline(FORWARD_HOST),
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/api/*': toApi,
        '/feeds/*': {
          ...toApi,
          cachePolicy: feedsCache,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        },
        ...Object.fromEntries(staticPaths.map((path) => [path, toAssets])),
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: accessLogs,
      logFilePrefix: 'cloudfront/',
      ...(props.domain
        ? {
            domainNames: props.domain.names,
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            // Only with a certificate of our own: CloudFront's default one has a fixed policy.
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason:
        'No geo restriction on purpose: residents take part from wherever they are, abroad included, ' +
        'and the site holds nothing that a country may not see.',
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR2',
      reason:
        'No WAF web ACL by default (it costs at rest, about $5 a month and $1 per rule): the API ' +
        'throttles per stage and rate-limits per user and source address itself. Attach one per ' +
        'municipality policy with the webAclId of the distribution.',
    });
    if (!props.domain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose ' +
          'minimum protocol cannot be raised; with siteDomain set (README: Deploying to AWS) the ' +
          'distribution requires TLSv1.2_2021.',
      });
    }

    new s3deploy.BucketDeployment(this, 'DeployAssets', {
      // The build's precompressed copies (.br, .gz) serve the local server; CloudFront compresses itself.
      sources: [s3deploy.Source.asset(SITE_CLIENT_DIR, { exclude: ['*.br', '*.gz'] })],
      destinationBucket: this.assets,
      // Pages still in browsers may ask for the previous build's hashed files: keep them.
      prune: false,
      logGroup: new logs.LogGroup(this, 'DeployAssetsLogs', { retention: props.logRetention }),
      memoryLimit: 256,
    });
    // CDK's own deployment handler (Python, one per stack), run by CloudFormation at deploy time only.
    const deployer = Stack.of(this)
      .node.findAll()
      .find((construct) => construct.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (deployer) {
      const deployerReason =
        "CDK's BucketDeployment handler, run by CloudFormation only while deploying, to copy the built " +
        'site files from the CDK asset bucket into the assets bucket:';
      const stack = Stack.of(this);
      const assetsId = stack.resolve(stack.getLogicalId(this.assets.node.defaultChild as s3.CfnBucket));
      const names = nagNames(this);
      Validations.of(deployer).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `${deployerReason} CDK gives its role the AWS-managed basic execution policy (its own logs).`,
        },
        ...[
          'Action::s3:GetObject*',
          'Action::s3:GetBucket*',
          'Action::s3:List*',
          'Action::s3:DeleteObject*',
          'Action::s3:Abort*',
          `Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${names.account}-${names.region}/*`,
          `Resource::<${assetsId}.Arn>/*`,
        ].map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason: `${deployerReason} CDK grants read on the CDK asset bucket's objects and write on this site's assets bucket's objects, with the wildcard actions it chooses.`,
        })),
        {
          id: 'AwsSolutions-L1',
          reason: `${deployerReason} CDK pins the handler's Python runtime itself; it is not one of Plein's functions.`,
        },
      );
    }

    // Sign-in through Cognito's hosted pages: back to the callback on every address of the site
    // (CloudFront's own name and the custom ones), and after sign-out to a language's home page.
    const siteOrigins = [
      `https://${this.distribution.distributionDomainName}`,
      ...(props.domain?.names ?? []).map((name) => `https://${name}`),
    ];
    props.identity.allowSiteAt({
      callbackUrls: siteOrigins.map((origin) => `${origin}${SITE_SIGN_IN_CALLBACK}`),
      logoutUrls: siteOrigins.flatMap((origin) => SITE_LOCALES.map((locale) => `${origin}/${locale}/`)),
    });
    this.pages.addEnvironment('PLEIN_OIDC_ISSUER', props.identity.issuer);
    this.pages.addEnvironment('PLEIN_OIDC_CLIENT_ID', props.identity.client.userPoolClientId);
    this.pages.addEnvironment('PLEIN_OIDC_LOGOUT_URL', props.identity.logoutUrl);

    new CfnOutput(this, 'Url', {
      value: `https://${props.domain?.names[0] ?? this.distribution.distributionDomainName}`,
      description: 'The site',
    });
    new CfnOutput(this, 'DistributionDomain', {
      value: this.distribution.distributionDomainName,
      description: 'Point the custom domain here (CNAME, or an alias record in Route 53)',
    });
  }
}
