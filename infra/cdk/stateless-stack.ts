/**
 * The stateless API stack: the channel and staff REST API and the routed functions of `infra/topology.ts`
 * (one Lambda function per route). Queue workers, schedules and the alarms are in the workers stack
 * (workers-stack.ts): one stack for all would pass CloudFormation's 500 resources per stack. The stateful
 * resources (tables, queues, keys) come in as props. This stack holds no data and can be destroyed and
 * rebuilt at will.
 */
import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionName, HttpRoute } from '../topology';
import { cloudFunctions, isRouted, topologyFunction, type CloudFunctionName, type FunctionStackProps } from './topology-functions';
import type { ZtFunction } from './zt-function';

export type { CloudFunctionName } from './topology-functions';

export type StatelessStackProps = FunctionStackProps;

export class StatelessStack extends Stack {
  readonly api: RestApi;
  /** The routed functions. */
  readonly functions: Partial<Record<CloudFunctionName, ZtFunction>> = {};

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    this.api = this.createApi(props.stage);
    const wiring = {
      stage: props.stage,
      projectRoot: props.projectRoot,
      stateful: props.stateful,
      logLevel: props.logLevel,
      departments: props.departments,
      resultsUrl: () => {
        throw new Error('A routed function names no results URL');
      },
    };
    for (const [name, decl] of cloudFunctions(isRouted)) {
      const fn = topologyFunction(this, name, decl, wiring);
      this.addRoute(decl.route!, name, fn);
      this.functions[name] = fn;
    }
  }

  private createApi(stage: string): RestApi {
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      // Interface-call records: kept at least a year (002 五(二)4; 004 第二十三条), and kept if the stack goes.
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const api = new RestApi(this, 'ChannelApi', {
      restApiName: `zhitong-${stage}-channel-api`,
      description: 'Zhitong channel API (DESIGN §7): SM2-signed batch channels for institutions',
      endpointTypes: [EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway → CloudWatch role. Kept on stack deletion
      // because it is an account-wide setting that other stages share.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: stage,
        tracingEnabled: true,
        metricsEnabled: true,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        // One JSON line per interface call, errors included (002 五(二)4); no bodies, no headers.
        accessLogFormat: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            extendedRequestId: AccessLogField.contextExtendedRequestId(),
            requestTime: AccessLogField.contextRequestTimeEpoch(),
            ip: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            httpMethod: AccessLogField.contextHttpMethod(),
            resourcePath: AccessLogField.contextResourcePath(),
            path: AccessLogField.contextPath(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            integrationStatus: AccessLogField.contextIntegrationStatus(),
            errorMessage: AccessLogField.contextErrorMessage(),
            errorType: AccessLogField.contextErrorResponseType(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
            xrayTraceId: AccessLogField.contextXrayTraceId(),
          }),
        ),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Data trace would write request bodies — personal data — to CloudWatch (DESIGN §5, 002 五(一)).
        dataTraceEnabled: false,
        // Stage-wide ceiling; per-channel quotas are enforced in the functions (credit grades, §4).
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
      },
    });

    Validations.of(api).acknowledge(
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Channel authentication is an SM2 signature over method, path, timestamp, nonce and SM3 of the raw body (DESIGN §5, §7), verified inside the function: an API Gateway authorizer never sees the body, so it cannot verify it. Staff routes (/v1/staff/*) carry a Cognito access token verified inside the function against the user pool JWKS, followed by a read of the staff account on every request. /health and /openapi.json are public by design.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Channel callers are institutions\' systems identified by registered SM2 keys, not Cognito users (DESIGN §5, §7). Staff routes do use the Cognito user pool, but verify its access tokens inside the function rather than in an authorizer: the function must read the staff account on every request anyway (a deactivated account is refused at once, DESIGN §5), which an authorizer result cache would delay.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Requests are validated by the versioned zod schemas in the function, per item (a batch partially succeeds), answering application/problem+json and recording credit events; an API Gateway validator would refuse whole batches in its own format before the signature is checked.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL yet: every channel request is SM2-signed, replay-protected and throttled per stage and per channel; the AWS managed common rule set would block legitimate batches (8 KB body limit). A tuned web ACL is an operations decision per stage.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role uses the AWS-managed policy AWS documents for exactly this purpose; it is assumable only by apigateway.amazonaws.com and only writes API logs.',
      },
    );
    return api;
  }

  /** One method per declared route; its integration invokes exactly the function that declares it. */
  private addRoute(route: HttpRoute, name: FunctionName, fn: ZtFunction): void {
    const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    this.api.root.resourceForPath(route.path).addMethod(
      route.method,
      // No test-invoke permission: the console's "Test" button is not a way into production.
      new LambdaIntegration(fn, { allowTestInvoke: false }),
      {
        operationName: name,
        requestParameters:
          pathParameters.length === 0
            ? undefined
            : Object.fromEntries(pathParameters.map((p) => [`method.request.path.${p}`, true])),
      },
    );
  }
}
