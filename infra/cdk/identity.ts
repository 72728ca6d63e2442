import { aws_cognito as cognito, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Who may sign in: residents, organisers and municipality staff, by email. Staff groups
 * (`staff:<municipality>`) are made per municipality when it joins; only `admin` exists up front.
 */
export class Identity extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  /** The token issuer the API's authorizer and the handlers' own verifier both check. */
  readonly issuer: string;
  readonly jwksUrl: string;

  constructor(scope: Construct, id: string) {
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

    this.client = this.userPool.addClient('WebClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      // The site's hosted sign-in comes with the site stack, with its real callback URLs.
      disableOAuth: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.issuer = `https://${this.userPool.userPoolProviderUrl}`;
    this.jwksUrl = `${this.issuer}/.well-known/jwks.json`;
  }
}
