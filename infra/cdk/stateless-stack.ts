/**
 * The stateless stack: the channel REST API, one Lambda function per function of `infra/topology.ts`,
 * the queue → worker wiring, and the alarms. Everything is read from the topology; the stateful
 * resources (tables, queues, keys) come in as props. This stack holds no data and can be destroyed and
 * rebuilt at will.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { functions as functionDecls, type Access, type FunctionDecl, type FunctionName, type HttpRoute, type TableName } from '../topology';
import type { Department } from '../../functions/core/ports';
import { auditExportBucketName, type StatefulResources } from './stateful-stack';
import { ZtFunction } from './zt-function';
import { addIncidentOverdueAlarm } from './incident-alarms';

export interface StatelessStackProps extends StackProps {
  readonly stage: string;
  /** Repository root: function entries in the topology are relative to it. */
  readonly projectRoot: string;
  readonly stateful: StatefulResources;
  /** Powertools log level of every function (default INFO). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * The department registry (DESIGN.md §7b), validated (CDK context `departments`, see app.ts), for the
   * functions declared `departments: true`. Default: none (no department serves any district).
   */
  readonly departments?: readonly Department[];
  /**
   * The results URL the connectors' requests name as `replyTo` (context `resultsUrl`, e.g. behind a custom
   * domain); default: this stack's API URL + `/v1/departments/results`.
   */
  readonly resultsUrl?: string;
}

const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
/** `Object.entries` that keeps the topology's key type. */
const entriesOf = <K extends string, V>(record: Readonly<Partial<Record<K, V>>>): [K, V][] =>
  (Object.entries(record) as [K, V | undefined][]).filter((entry): entry is [K, V] => entry[1] !== undefined);

/** The functions the CDK app deploys: all but those the local runtime alone serves (`localOnly`). */
export type CloudFunctionName = {
  [K in FunctionName]: (typeof functionDecls)[K] extends { readonly localOnly: true } ? never : K;
}[FunctionName];

export class StatelessStack extends Stack {
  readonly api: RestApi;
  readonly functions: Record<CloudFunctionName, ZtFunction>;
  /** Alarm notifications; operators subscribe to it. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    // Issue 10's functions bring this template to ~83 % of CloudFormation's 1 MB limit: acknowledged for now;
    // the next functions go to a stack of their own (e.g. the audit API).
    Validations.of(this).acknowledge({
      id: 'Annotation::@aws-cdk/core:Stack.templateSize',
      reason: 'At ~83 % of the 1 MB template limit after the audit read side; a split (audit API stack) is planned before the next functions are added.',
    });
    const { stateful } = props;

    this.alarmTopic = this.createAlarmTopic(props.stage);
    this.api = this.createApi(props.stage);

    const departments = JSON.stringify(props.departments ?? []);
    const resultsPath = functionDecls.postDepartmentResult.route.path;
    const created: Partial<Record<FunctionName, ZtFunction>> = {};
    for (const [name, decl] of entriesOf<FunctionName, FunctionDecl>(functionDecls)) {
      // The local token issuer: on AWS the Cognito user pool (stateful stack) plays its part.
      if (decl.localOnly === true) continue;
      const fn = new ZtFunction(this, pascalCase(name), {
        entry: `${props.projectRoot}/${decl.entry}`,
        projectRoot: props.projectRoot,
        description: decl.description,
        timeoutSeconds: decl.timeoutSeconds,
        memoryMb: decl.memoryMb,
        logLevel: props.logLevel,
      });
      // Least privilege, exactly as declared: each table with its access, each queue it sends to.
      for (const [table, access] of entriesOf<TableName, Access>(decl.tables)) {
        fn.bindTable(table, stateful.tables[table], access);
      }
      for (const queue of decl.sends ?? []) fn.bindQueue(queue, stateful.queues[queue]);
      if (decl.usesPiiKey === true) fn.bindPiiKey(stateful.piiKey, decl.tables.keys);
      fn.bindPlatformKey(decl, stateful.platformSigningKey);
      fn.bindLogKey(decl, stateful.logSigningKey);
      fn.bindAuditExports(decl, auditExportBucketName(props.stage));
      fn.bindDeadLetterQueues(decl, stateful.deadLetterQueues);
      // Only the connectors (queue workers) name the results URL: a routed function referring to its own
      // API's URL would make the API's deployment depend on itself.
      fn.bindDepartments(decl, departments, decl.source === undefined ? undefined : (props.resultsUrl ?? this.api.urlForPath(resultsPath)));
      // Staff functions (those reading the staff table) verify staff access tokens against the user pool.
      if (decl.tables.staff !== undefined) stateful.staffIdentity.configure(fn);
      if (decl.route !== undefined) this.addRoute(decl.route, name, fn);
      if (decl.source !== undefined) this.addWorkerSource(name, fn, stateful.queues[decl.source.queue], decl.source);
      if (decl.schedule !== undefined) this.addSchedule(name, fn, decl.schedule);
      created[name] = fn;
    }
    this.functions = created as Record<CloudFunctionName, ZtFunction>;

    for (const [queue, deadLetterQueue] of entriesOf(stateful.deadLetterQueues)) {
      this.alarm(`${pascalCase(queue)}DeadLetterAlarm`,
        `Messages in the ${queue} dead-letter queue: deliveries failed ${queue} processing repeatedly and need an operator.`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: Stats.MAXIMUM }));
    }

    // A log whose head does not extend its last signed tree head is never signed (audit-checkpoint.ts): a
    // rewritten or forked log, for an operator at once (DESIGN.md §5).
    this.alarm('AuditLogInconsistentAlarm',
      'The audit checkpoint refused to sign a log whose head does not extend its last signed tree head: the log was rewritten or forked.',
      new Metric({ namespace: 'Zhitong', metricName: 'AuditLogInconsistent', dimensionsMap: { service: 'zhitong' }, period: Duration.minutes(5), statistic: Stats.SUM }));

    // Incidents past their 1-hour or 6-hour deadline (003 第十八条), escalated by the incident watch.
    addIncidentOverdueAlarm(this, this.alarmTopic);

    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Subscribe operators to Zhitong alarms here' });
  }

  private createAlarmTopic(stage: string): Topic {
    // Alarm notifications name queues and functions, never personal data; the key exists because SNS
    // must be encrypted with a key whose policy lets CloudWatch publish (the AWS-managed SNS key cannot).
    // It protects nothing but in-flight notifications, so it goes with this stack (unlike the data keys).
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Zhitong ${stage}: alarm notifications topic`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return new Topic(this, 'AlarmTopic', { displayName: `Zhitong ${stage} alarms`, masterKey: key, enforceSSL: true });
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

  /** A worker is fed by its queue in batches and reports partial batch failures. */
  private addWorkerSource(name: FunctionName, fn: ZtFunction, queue: IQueue, source: NonNullable<FunctionDecl['source']>): void {
    fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: source.batchSize,
        maxConcurrency: source.maxConcurrency,
        // Only the failed messages of a batch are retried (and eventually dead-lettered), not the whole batch.
        reportBatchItemFailures: true,
      }),
    );
    this.alarm(`${pascalCase(name)}ErrorsAlarm`,
      `The ${name} worker failed invocations (errors outside per-message handling): check its logs.`,
      fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }));
  }

  /**
   * A scheduled function (the sweeper): an EventBridge rule `rate(N minutes)` whose only target is the
   * function; the target adds the one invoke permission, for events.amazonaws.com from this rule only.
   * The sweeper finds the districts to sweep in the register itself.
   */
  private addSchedule(name: FunctionName, fn: ZtFunction, schedule: NonNullable<FunctionDecl['schedule']>): void {
    new Rule(this, `${pascalCase(name)}Schedule`, {
      description: `Invokes ${name} every ${schedule.everyMinutes} minutes (infra/topology.ts)`,
      schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    // A worker that is also scheduled (the audit checkpoint's sweep) has its errors alarm already.
    if ((functionDecls[name] as FunctionDecl).source !== undefined) return;
    this.alarm(`${pascalCase(name)}ErrorsAlarm`, `The scheduled ${name} failed: check its logs.`, fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }));
  }

  private alarm(id: string, description: string, metric: IMetric): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.alarmTopic));
    alarm.addOkAction(new SnsAction(this.alarmTopic));
  }
}
