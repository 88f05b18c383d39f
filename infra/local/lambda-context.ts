/**
 * A Lambda `Context` for invocations made by the local runtime, shaped like the one the Lambda service
 * passes: the function's name, ARN, memory, log group and stream, a fresh request id per invocation, and a
 * `getRemainingTimeInMillis()` that counts down from the function's declared timeout, so code that budgets
 * its work by the remaining time (Powertools, middy's timeout handling) behaves as it will on AWS.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { Logger } from '@aws-lambda-powertools/logger';

export interface LambdaContextOptions {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  /** Defaults to a fresh UUID, as Lambda does for each invocation. */
  readonly awsRequestId?: string;
  /** Defaults to `AWS_REGION`, then the local region. */
  readonly region?: string;
  /** Cosmetic account id used in the ARN (the same one local-aws-sqs puts in queue ARNs). */
  readonly accountId?: string;
  /** Start of the invocation in epoch milliseconds; defaults to now. */
  readonly startedAt?: number;
}

const LOCAL_ACCOUNT_ID = '123456789012';

const day = (date: Date): string =>
  `${date.getUTCFullYear()}/${String(date.getUTCMonth() + 1).padStart(2, '0')}/${String(date.getUTCDate()).padStart(2, '0')}`;

export function createLambdaContext(options: LambdaContextOptions): Context {
  const startedAt = options.startedAt ?? Date.now();
  const deadline = startedAt + options.timeoutSeconds * 1000;
  const region = options.region ?? process.env.AWS_REGION ?? 'ap-east-1';
  const accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
  const awsRequestId = options.awsRequestId ?? randomUUID();
  // The deprecated callback-era methods are kept only because the type requires them; handlers here are async.
  const unsupported = (name: string) => (): never => {
    throw new Error(`context.${name}() is not supported by the local runtime; return a value or a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb ?? 128),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day(new Date(startedAt))}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** Raised when a handler runs past its function's timeout; Lambda would end the invocation as failed. */
export class InvocationTimeoutError extends Error {
  override readonly name = 'InvocationTimeoutError';
  constructor(functionName: string, timeoutSeconds: number) {
    super(`${functionName} timed out after ${timeoutSeconds} s`);
  }
}

/**
 * Runs one invocation the way Lambda does for an async handler: a fresh context, and a failure when the
 * function's timeout elapses first. Unlike Lambda, the local runtime cannot freeze a timed-out handler; its
 * promise keeps running in the background and its result is ignored.
 */
export async function invokeWithTimeout<T>(
  options: LambdaContextOptions,
  run: (context: Context) => T | Promise<T>,
): Promise<T> {
  const context = createLambdaContext(options);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InvocationTimeoutError(options.functionName, options.timeoutSeconds)), options.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => run(context)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the local runtime logs: operational events and failed invocations, never request bodies or messages. */
export interface RuntimeLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** Structured JSON lines through Powertools (level from `POWERTOOLS_LOG_LEVEL`), like the functions' own logs. */
export function defaultRuntimeLogger(): RuntimeLogger {
  const logger = new Logger({ serviceName: 'zhitong-local-runtime' });
  return {
    info: (message, details = {}) => logger.info(message, details),
    warn: (message, details = {}) => logger.warn(message, details),
    error: (message, details = {}) => logger.error(message, details),
  };
}
