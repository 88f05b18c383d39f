/**
 * The stateless workers stack: the queue workers and scheduled functions of `infra/topology.ts` (intake,
 * notifier, connectors, credit, the audit appender and checkpoint, the sweeper, the incident watch), the
 * queue → worker wiring, the schedules, and every alarm with its topic. It takes the stateful resources as
 * props and the API stack's URL (the results URL the connectors name), so it deploys after both and holds
 * no data: it can be destroyed and rebuilt at will.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, Stats, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { FunctionDecl } from '../topology';
import { addIncidentOverdueAlarm } from './incident-alarms';
import { cloudFunctions, entriesOf, isRouted, pascalCase, topologyFunction, type CloudFunctionName, type FunctionStackProps } from './topology-functions';
import type { ZtFunction } from './zt-function';

export interface WorkersStackProps extends FunctionStackProps {
  /** The results URL the connectors' requests name as `replyTo` (the API stack's, or context `resultsUrl`). */
  readonly resultsUrl: string;
}

export class WorkersStack extends Stack {
  /** The queue workers and scheduled functions. */
  readonly functions: Partial<Record<CloudFunctionName, ZtFunction>> = {};
  /** Alarm notifications; operators subscribe to it. */
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: WorkersStackProps) {
    super(scope, id, props);
    const { stateful } = props;
    this.alarmTopic = this.createAlarmTopic(props.stage);

    const wiring = { ...props, resultsUrl: () => props.resultsUrl };
    for (const [name, decl] of cloudFunctions((decl) => !isRouted(decl))) {
      const fn = topologyFunction(this, name, decl, wiring);
      if (decl.source !== undefined) this.addWorkerSource(name, fn, stateful.queues[decl.source.queue], decl.source);
      if (decl.schedule !== undefined) this.addSchedule(name, fn, decl);
      this.functions[name] = fn;
    }

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

  /** A worker is fed by its queue in batches and reports partial batch failures. */
  private addWorkerSource(name: CloudFunctionName, fn: ZtFunction, queue: IQueue, source: NonNullable<FunctionDecl['source']>): void {
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
  private addSchedule(name: CloudFunctionName, fn: ZtFunction, decl: FunctionDecl): void {
    const schedule = decl.schedule!;
    new Rule(this, `${pascalCase(name)}Schedule`, {
      description: `Invokes ${name} every ${schedule.everyMinutes} minutes (infra/topology.ts)`,
      schedule: Schedule.rate(Duration.minutes(schedule.everyMinutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 0 })],
    });
    // A worker that is also scheduled (the audit checkpoint's sweep) has its errors alarm already.
    if (decl.source !== undefined) return;
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
