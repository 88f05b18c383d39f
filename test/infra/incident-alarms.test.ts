/**
 * The overdue-incident alarm (infra/cdk/incident-alarms.ts) watches exactly the metric the incident watch
 * emits (name, namespace, dimensions as Powertools writes them) and notifies the alarm topic.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it, vi } from 'vitest';
import { addIncidentOverdueAlarm } from '../../infra/cdk/incident-alarms';
import { countIncidentOverdue, publishMetrics } from '../../functions/shared/metrics';

describe('the IncidentOverdue alarm', () => {
  it('sums every deadline × severity of the metric the watch emits and alarms on the first, to the topic', () => {
    // Prepare: what the watch writes (EMF through Powertools).
    publishMetrics(); // nothing left over
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    try {
      countIncidentOverdue('REPORT', 'HIGH');
      publishMetrics();
    } finally {
      spy.mockRestore();
    }
    const emf = written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>).find((doc) => doc._aws?.CloudWatchMetrics?.[0]?.Metrics[0]?.Name === 'IncidentOverdue');
    expect(emf).toBeDefined();
    const directive = emf!._aws.CloudWatchMetrics[0]!;
    // Act
    const stack = new Stack(new App(), 'Alarms');
    addIncidentOverdueAlarm(stack, new Topic(stack, 'Topic'));
    const template = Template.fromStack(stack);
    // Assess
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { Metrics: { Id: string; Expression?: string; MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: { Name: string; Value: string }[] } } }[]; Threshold: number; AlarmActions: unknown[]; ComparisonOperator: string } }[];
    expect(alarms).toHaveLength(1);
    const { Metrics, Threshold, AlarmActions, ComparisonOperator } = alarms[0]!.Properties;
    expect([Threshold, ComparisonOperator]).toEqual([1, 'GreaterThanOrEqualToThreshold']);
    expect(AlarmActions).toHaveLength(1);
    const stats = Metrics.filter((m) => m.MetricStat !== undefined).map((m) => m.MetricStat!.Metric);
    expect(stats).toHaveLength(8);
    const report = stats.find((m) => m.Dimensions.some((d) => d.Name === 'deadline' && d.Value === 'REPORT') && m.Dimensions.some((d) => d.Name === 'severity' && d.Value === 'HIGH'))!;
    // The alarm's metric is the one written: same name, namespace, dimension names and values.
    expect(report.MetricName).toBe('IncidentOverdue');
    expect(report.Namespace).toBe(directive.Namespace);
    expect(report.Dimensions.map((d) => d.Name).sort()).toEqual([...directive.Dimensions[0]!].sort());
    for (const d of report.Dimensions) expect(emf![d.Name]).toBe(d.Value);
    expect(Metrics.find((m) => m.Expression !== undefined)?.Expression?.split(' + ')).toHaveLength(8);
  });
});
