/**
 * The alarm on overdue incidents (003 第十八条: 1 小时内报送, 处置完后 6 小时内书面报送): the incident watch counts
 * each deadline it escalates as the Powertools metric `IncidentOverdue` (functions/shared/metrics.ts,
 * dimensions `service`, `deadline`, `severity`); this alarm sums every combination and calls an operator
 * through the alarm topic on the first one. Built by the workers stack next to the dead-letter alarms.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { INCIDENT_SEVERITIES } from '../../functions/core/domain/incident';

/** What ZtFunction sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME). */
const NAMESPACE = 'Zhitong';
const SERVICE = 'zhitong';

export function addIncidentOverdueAlarm(scope: Construct, topic: ITopic): Alarm {
  const usingMetrics: Record<string, Metric> = {};
  for (const deadline of ['REPORT', 'RESULT'] as const) {
    for (const severity of INCIDENT_SEVERITIES) {
      usingMetrics[`${deadline.toLowerCase()}${severity.toLowerCase()}`] = new Metric({
        namespace: NAMESPACE,
        metricName: 'IncidentOverdue',
        dimensionsMap: { service: SERVICE, deadline, severity },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    }
  }
  const alarm = new Alarm(scope, 'IncidentOverdueAlarm', {
    alarmDescription: 'An incident missed its 1-hour report or 6-hour result deadline (003 第十八条): the incident watch escalated it; an administrator must act.',
    metric: new MathExpression({ expression: Object.keys(usingMetrics).join(' + '), usingMetrics, period: Duration.minutes(5), label: 'Incidents escalated' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  alarm.addOkAction(new SnsAction(topic));
  return alarm;
}
