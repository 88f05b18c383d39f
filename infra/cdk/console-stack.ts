/**
 * The registry console on AWS (issue 11; DESIGN.md §1 registry staff): the built single-page app in a
 * private S3 bucket behind CloudFront with origin access control, and the staff API behind the same
 * distribution under `/v1/*`, so that the console calls the API on its own origin — no CORS, and the
 * Content-Security-Policy can say `connect-src 'self'` (plus Cognito, for signing in).
 *
 * - `/console/*` → the bucket (OAC: the bucket policy lets only this distribution read, by SourceArn); a
 *   viewer-request function maps `/console` and `/console/` to `/console/index.html`.
 * - `/v1/*` → the API Gateway stage, never cached, every method; the viewer's headers (Authorization
 *   included: allowed because caching is disabled), query strings and cookies go to the API, except `Host`
 *   (API Gateway answers its own host name only).
 * - Every answer carries the security headers of {@link consoleResponseHeaders}.
 * - The files are deployed by a BucketDeployment with a `config.json` naming the Cognito pool and the
 *   console's app client, and the distribution is invalidated on each deploy.
 */
import { consoleContentSecurityPolicy as sharedConsoleCsp } from '../../console/csp';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import type { StaffIdentity } from './staff-identity';

export interface ConsoleStackProps extends StackProps {
  readonly stage: string;
  /** The directory the console was built into (`buildConsole` of console/build.ts). */
  readonly siteDir: string;
  readonly api: RestApi;
  readonly staffIdentity: StaffIdentity;
}

/** Where the console's files live in the bucket and on the distribution. */
export const CONSOLE_PREFIX = 'console';

/**
 * The Content-Security-Policy of every answer: scripts, styles and connections only from the console's own
 * origin (the API is there too), plus the Cognito endpoint of the region for signing in; no inline script,
 * no eval, no framing.
 */
export function consoleContentSecurityPolicy(region: string): string {
  return sharedConsoleCsp({ connect: [`https://cognito-idp.${region}.amazonaws.com`], upgradeInsecureRequests: true });
}

/** `/console` and `/console/` (and any path under it without a file extension: the app's own routes) → its index.html. */
const INDEX_REWRITE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/${CONSOLE_PREFIX}') {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: '/${CONSOLE_PREFIX}/' } } };
  }
  if (uri.startsWith('/${CONSOLE_PREFIX}/') && uri.split('/').pop().indexOf('.') === -1) {
    request.uri = '/${CONSOLE_PREFIX}/index.html';
  }
  return request;
}`;

export class ConsoleStack extends Stack {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);

    const logs = new Bucket(this, 'ConsoleAccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are written with ACLs: the log bucket must allow them (its own objects only).
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket holds the access logs of the console bucket and the distribution; logging it into itself or into a third bucket adds nothing.',
    });

    this.bucket = new Bucket(this, 'ConsoleSite', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // The files are rebuilt from the repository on every deploy; versions keep what was served.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const region = Stack.of(this).region;
    const headers = new ResponseHeadersPolicy(this, 'ConsoleSecurityHeaders', {
      responseHeadersPolicyName: `zhitong-${props.stage}-console-security-headers`,
      comment: 'Zhitong console: CSP, HSTS, no sniffing, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consoleContentSecurityPolicy(region), override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, preload: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [{ header: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()', override: true }],
      },
    });

    const apiOrigin = new HttpOrigin(`${props.api.restApiId}.execute-api.${region}.${Stack.of(this).urlSuffix}`, {
      // The API stack names its stage after the deployment stage (stateless-stack.ts).
      originPath: `/${props.stage}`,
    });

    this.distribution = new Distribution(this, 'ConsoleDistribution', {
      comment: `Zhitong ${props.stage} registry console and staff API`,
      defaultRootObject: `${CONSOLE_PREFIX}/index.html`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [
          {
            eventType: FunctionEventType.VIEWER_REQUEST,
            function: new CloudFrontFunction(this, 'ConsoleIndexRewrite', { code: FunctionCode.fromInline(INDEX_REWRITE), comment: 'console routes to index.html' }),
          },
        ],
      },
      additionalBehaviors: {
        '/v1/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
          compress: true,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Registry staff sign in from the district offices and from the field; the API refuses every unauthenticated staff call and counts calls on other districts, so a country list would add no protection.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF web ACL in this stack: the API behind it has its own throttling, request-size limits and per-account misuse detection; a web ACL (managed rules, rate rule) is an operator decision per stage and is attached by ARN.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a custom domain the distribution serves the default *.cloudfront.net certificate, for which CloudFront does not let the minimum TLS version be set; a stage with its own domain and certificate sets minimumProtocolVersion TLSv1.2_2021.',
      },
    );

    const identity = props.staffIdentity;
    new BucketDeployment(this, 'ConsoleFiles', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: `${CONSOLE_PREFIX}/`,
      sources: [
        Source.asset(props.siteDir),
        Source.jsonData('config.json', {
          apiBase: '',
          auth: { kind: 'cognito', region, userPoolId: identity.userPool.userPoolId, clientId: identity.consoleClient.userPoolClientId },
        }),
      ],
      distribution: this.distribution,
      distributionPaths: [`/${CONSOLE_PREFIX}/*`],
      prune: true,
      memoryLimit: 256,
    });
    // The deployment's handler: a singleton function CDK itself provides and owns (runtime, role).
    const deploymentHandler = this.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!deploymentHandler) throw new Error('The BucketDeployment handler was not found');
    Validations.of(deploymentHandler).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason: "BucketDeployment's handler is provided by aws-cdk-lib with the runtime the library pins and updates; it runs only during deployments.",
      },
      ...['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:Abort*', 'Action::s3:DeleteObject*'].map((what) => ({
        id: `AwsSolutions-IAM5[${what}]`,
        reason: 'The grant BucketDeployment gives its handler to copy the built files from the CDK asset bucket into the console bucket and prune old ones: read the asset, write and delete in the console bucket only.',
      })),
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        reason: 'The handler reads the console asset from the CDK bootstrap asset bucket, whose object keys are content hashes known only at deploy time.',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
        reason: 'The handler writes and prunes every object of the console bucket (the site is replaced as a whole on each deploy).',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "BucketDeployment's handler role carries the managed basic execution policy (its own log group writes) as aws-cdk-lib defines it.",
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'cloudfront:CreateInvalidation and GetInvalidation, which the handler calls to invalidate /console/* after a deploy, take no resource-level restriction in the policy CDK writes.',
      },
    );

    new CfnOutput(this, 'ConsoleUrl', { value: `https://${this.distribution.distributionDomainName}/${CONSOLE_PREFIX}/`, description: 'The registry console' });
  }
}
