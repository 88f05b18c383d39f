/**
 * The local runtime's EventBridge schedule: for each function with a `schedule` in the topology, a timer
 * that invokes its real handler every N minutes with an event shaped like EventBridge's "Scheduled Event".
 * As on AWS, invocations are asynchronous to the caller; unlike EventBridge, a tick is skipped while the
 * previous invocation still runs (one process, no point piling up sweeps). `stop()` clears the timer and
 * waits for the invocation in flight.
 */
import { randomUUID } from 'node:crypto';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { defaultRuntimeLogger, invokeWithTimeout, type RuntimeLogger } from './lambda-context';

export interface ScheduleOptions {
  readonly functionName: string;
  readonly everyMinutes: number;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  readonly handler: (event: ScheduledEvent, context: Context) => unknown;
  /** Length of a "minute" in ms (default 60 000): a seam for tests. */
  readonly minuteMs?: number;
  readonly region?: string;
  readonly logger?: RuntimeLogger;
}

export interface ScheduledFunction {
  stop(): Promise<void>;
}

const LOCAL_ACCOUNT_ID = '123456789012';

/** An EventBridge Scheduled Event as Lambda receives it (time to the second, as EventBridge sends it). */
export function scheduledEvent(ruleName: string, at: Date, region: string): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT_ID,
    time: `${at.toISOString().slice(0, 19)}Z`,
    region,
    resources: [`arn:aws:events:${region}:${LOCAL_ACCOUNT_ID}:rule/${ruleName}`],
    detail: {},
  };
}

export function startSchedule(options: ScheduleOptions): ScheduledFunction {
  const logger = options.logger ?? defaultRuntimeLogger();
  const region = options.region ?? process.env.AWS_REGION ?? 'ap-east-1';
  const ruleName = `${options.functionName}-schedule`;
  let inFlight: Promise<void> | undefined;

  const tick = (): void => {
    if (inFlight) return;
    const event = scheduledEvent(ruleName, new Date(), region);
    inFlight = invokeWithTimeout(
      { functionName: options.functionName, timeoutSeconds: options.timeoutSeconds, memoryMb: options.memoryMb },
      (context) => options.handler(event, context),
    )
      .then(() => undefined)
      .catch((error: unknown) =>
        logger.error('Scheduled invocation failed', { functionName: options.functionName, errorName: error instanceof Error ? error.name : typeof error }),
      )
      .finally(() => {
        inFlight = undefined;
      });
  };
  const timer = setInterval(tick, options.everyMinutes * (options.minuteMs ?? 60_000));
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
