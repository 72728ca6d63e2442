import { Aws, aws_cognito as cognito, Duration, Fn, Lazy, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface IdentityProps {
  /** The stage's name, the start of the hosted sign-in domain (`plein-<stage>-<stack>`). */
  stageName: string;
}

/**
 * Who may sign in: residents, organisers and municipality staff, by email. Staff groups
 * (`staff:<municipality>`) are made per municipality when it joins; only `admin` exists up front.
 * The site signs people in through Cognito's hosted sign-in on the pool's own domain (OIDC
 * authorization code with PKCE); the site tells the client its addresses with `allowSiteAt`.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The hosted sign-in pages and the OAuth endpoints (a Cognito prefix domain). */
  readonly domain: cognito.UserPoolDomain;
  /** The token issuer the API's authorizer and the handlers' own verifier both check. */
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Cognito's `/logout` on the hosted domain (its discovery document names no end-session endpoint). */
  readonly logoutUrl: string;
  readonly #callbackUrls: string[] = [];
  readonly #logoutUrls: string[] = [];

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      // Read by actorFromClaims: where a resident says they live.
      customAttributes: {
        municipality: new cognito.StringAttribute({ maxLen: 80, mutable: true }),
        neighbourhood: new cognito.StringAttribute({ maxLen: 80, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, adaptive authentication) needs the Plus plan.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is offered to everyone but not required: residents who vote in a poll or follow an initiative ' +
        'should not need an authenticator app. TOTP is available to all, and threat protection (Plus plan, ' +
        'enforced) blocks or challenges risky and compromised-credential sign-ins.',
    });

    this.userPool.addGroup('Admin', { groupName: 'admin', description: 'Platform administrators' });

    // Globally unique per region: the stage, then the first part of this stack's own UUID (from its
    // ARN), which differs per account and deployment and tells nothing about the account.
    this.domain = this.userPool.addDomain('HostedSignIn', {
      cognitoDomain: {
        domainPrefix: Fn.join('-', [
          'plein',
          props.stageName,
          Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID)))),
        ]),
      },
    });

    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // The site's server-side sign-in: the authorization code grant only (with PKCE, which a client
      // without a secret needs), no implicit grant, on the site's own addresses (allowSiteAt).
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: Lazy.list({ produce: () => this.#callbackUrls }),
        logoutUrls: Lazy.list({ produce: () => this.#logoutUrls }),
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
    this.logoutUrl = `${this.domain.baseUrl()}/logout`;
    this.node.addValidation({
      validate: () =>
        this.#callbackUrls.length > 0 ? [] : ['The web client has no callback URL: call allowSiteAt.'],
    });
  }

  /** Lets the hosted sign-in send people back to the site: its callback and its sign-out landings. */
  allowSiteAt(urls: { callbackUrls: string[]; logoutUrls: string[] }): void {
    this.#callbackUrls.push(...urls.callbackUrls);
    this.#logoutUrls.push(...urls.logoutUrls);
  }
}
