/**
 * Staff identity on AWS (DESIGN.md §1, §5): a Cognito user pool of registry staff and the app client
 * of the staff console. Cognito answers "who is this" (password, MFA, threat protection) and issues
 * the RS256 access tokens that staff functions verify against the pool's JWKS; what a staff member may
 * do (role, district, active or not) lives in the `staff` table and is read on every request. Locally,
 * the local issuer (functions/adapters/identity/local-issuer.ts) plays the user pool's part.
 *
 * Part of the stateful stack: the pool holds the accounts, so it is RETAIN and deletion-protected.
 */
import { CfnOutput, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { STAFF_AUDIENCE_ENV, STAFF_ISSUER_ENV, STAFF_JWKS_URL_ENV } from '../topology';

/** What a staff function needs to verify staff access tokens. */
export interface StaffTokenSettings {
  readonly jwksUrl: string;
  readonly issuer: string;
  /** The console's app client id (`client_id` of its access tokens). */
  readonly audience: string;
}

export interface StaffIdentityProps {
  readonly stage: string;
}

export class StaffIdentity extends Construct {
  readonly userPool: UserPool;
  readonly consoleClient: UserPoolClient;
  readonly tokens: StaffTokenSettings;

  constructor(scope: Construct, id: string, props: StaffIdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'StaffUserPool', {
      userPoolName: `zhitong-${props.stage}-staff`,
      // Staff accounts are created by the registry's administrators, never by sign-up.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      signInCaseSensitive: false,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      // TOTP only: SMS codes can be intercepted and would need an SNS role for no gain.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      // Threat protection (compromised credentials, adaptive authentication), as cdk-nag COG8 asks.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      // No self-service recovery: a reset goes through an administrator, so a mailbox taken over is no
      // way into the register (insider misuse, 000 二(三)).
      accountRecovery: AccountRecovery.NONE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.consoleClient = this.userPool.addClient('StaffConsoleClient', {
      userPoolClientName: `zhitong-${props.stage}-staff-console`,
      // A browser console (roadmap step 6) cannot keep a secret; SRP keeps the password off the wire.
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // One working day; a deactivated account is refused at once anyway (the staff table is read per request).
      refreshTokenValidity: Duration.hours(10),
    });

    // ProviderURL is `https://cognito-idp.<region>.<suffix>/<poolId>`: exactly the `iss` of the pool's tokens.
    const issuer = this.userPool.userPoolProviderUrl;
    this.tokens = { issuer, jwksUrl: `${issuer}/.well-known/jwks.json`, audience: this.consoleClient.userPoolClientId };

    new CfnOutput(scope, 'StaffUserPoolId', { value: this.userPool.userPoolId, description: 'Cognito user pool of registry staff' });
    new CfnOutput(scope, 'StaffConsoleClientId', { value: this.consoleClient.userPoolClientId, description: 'App client id of the staff console' });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is OPTIONAL with TOTP only, as specified for staff identity (issue 3): with the Plus plan, Cognito adaptive authentication (threat protection ENFORCED) demands the second factor on risky sign-ins, which requires the pool MFA setting to be OPTIONAL rather than REQUIRED. Making TOTP mandatory for all staff is a policy switch (Mfa.REQUIRED) once every account has enrolled.',
    });
  }

  /** Tells a staff function where to verify staff tokens (the STAFF_* variables of infra/topology.ts). */
  configure(fn: { addEnvironment(key: string, value: string): unknown }): void {
    fn.addEnvironment(STAFF_JWKS_URL_ENV, this.tokens.jwksUrl);
    fn.addEnvironment(STAFF_ISSUER_ENV, this.tokens.issuer);
    fn.addEnvironment(STAFF_AUDIENCE_ENV, this.tokens.audience);
  }
}
