/**
 * The runtime process of `npm run bench`: the local runtime as `npm start` runs it (same handlers,
 * emulators, seeding), plus a request counter — an AWS SDK middleware on every SDK client of this process
 * (the handlers' DynamoDB and SQS clients from functions/adapters/aws-clients.ts, and the pollers' SQS
 * client) — and an IPC channel through which the bench reads the counts and the intake backlog. Nothing of
 * this is in any production path: the middleware is added to the clients here, after they are built.
 *
 * Environment: PORT, ZT_DATA_DIR, ZT_POLLERS (as for `npm start`). Started by batches.bench.ts only.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { dynamoDocumentClient, sqs } from '../../functions/adapters/aws-clients';
import { startLocalRuntime } from '../../infra/local/runtime';
import { seedDemoData } from '../../infra/local/seed/seed';
import { queueEnvVar } from '../../infra/topology';
import { SqsAuditLog } from '../../functions/adapters/sqs/audit-queue';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Requests sent, by "<service> <operation> <table or queue>", e.g. "DynamoDB PutItem filings". */
const counts: Record<string, number> = {};

/** The topology name of the table or queue a request goes to (physical names are `zt-local-<name>`). */
function targetOf(input: unknown): string {
  const { TableName, QueueUrl, RequestItems } = (input ?? {}) as { TableName?: string; QueueUrl?: string; RequestItems?: Record<string, unknown> };
  const physical = TableName ?? QueueUrl?.split('/').at(-1) ?? Object.keys(RequestItems ?? {}).join('+');
  return physical.replaceAll(/(^|\+)zt-local-/g, '$1');
}

interface CountableClient {
  middlewareStack: { add: (middleware: never, options: { step: 'deserialize'; name: string }) => void };
}

/**
 * Counts every HTTP request the client sends: the deserialize step runs once per attempt (retries
 * included), below the retry middleware of the finalizeRequest step.
 */
function countRequests(client: CountableClient, service: string): void {
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    (args: unknown): Promise<unknown> => {
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const key = `${service} ${operation} ${targetOf((args as { input?: unknown }).input)}`.trim();
      counts[key] = (counts[key] ?? 0) + 1;
      return next(args);
    };
  client.middlewareStack.add(middleware as never, { step: 'deserialize', name: 'benchRequestCounter' });
}

const dataDir = process.env.ZT_DATA_DIR!;

const runtime = await startLocalRuntime({
  dataDir,
  port: Number(process.env.PORT),
  pollers: process.env.ZT_POLLERS !== 'false',
  // The sweeper's 5-minute timer would add its own requests (and re-enqueue filings still waiting) at a
  // random point of a measurement: the bench measures submit and intake alone.
  schedules: false,
  beforeHandlers: async () => {
    // The environment names the emulators now; the handlers' clients are built here, before any handler
    // module loads them, so every request of theirs passes the counter.
    countRequests(dynamoDocumentClient(), 'DynamoDB');
    countRequests(sqs(), 'SQS');
    await seedDemoData(dataDir);
  },
  pollerSqsClient: () => {
    const client = new SQSClient({});
    countRequests(client, 'SQS (pollers)');
    return client;
  },
});
// Not counted: the bench's own look at the queues.
const observer = new SQSClient({});

const BACKLOG_QUEUES = { intake: ['intake', 'intakeUrgent'], notifications: ['notifications'], audit: ['audit'] } as const;

/** Messages waiting or in flight on the intake queues (both lanes) or the notification queue. */
async function backlog(of: keyof typeof BACKLOG_QUEUES): Promise<number> {
  let total = 0;
  for (const name of BACKLOG_QUEUES[of]) {
    const { Attributes } = await observer.send(
      new GetQueueAttributesCommand({ QueueUrl: process.env[queueEnvVar(name)]!, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    // local-aws-sqs counts in-flight messages in ApproximateNumberOfMessages too; take the larger reading.
    total += Math.max(Number(Attributes?.ApproximateNumberOfMessages ?? 0), Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)) + Number(Attributes?.ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return total;
}

/** Queues `count` audit records over `tenants` logs, as the functions would (one FIFO message each), not counted. */
async function auditLoad(count: number, tenants: number): Promise<number> {
  const log = new SqsAuditLog({ client: observer, queueUrl: process.env[queueEnvVar('audit')]! });
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < count) {
        const i = next++;
        await log.record({ tenant: `bench-${i % tenants}`, actor: 'bench', action: 'BENCH_LOAD', outcome: 'SUCCESS', target: `T${i}`, detail: { i } });
      }
    }),
  );
  return count;
}

type Request = { id: number; type: 'counts' } | { id: number; type: 'backlog'; of: keyof typeof BACKLOG_QUEUES } | { id: number; type: 'auditLoad'; count: number; tenants: number };
process.on('message', (message: Request) => {
  void (async () => {
    const reply =
      message.type === 'counts'
        ? { id: message.id, counts: { ...counts } }
        : message.type === 'backlog'
          ? { id: message.id, backlog: await backlog(message.of) }
          : { id: message.id, queued: await auditLoad(message.count, message.tenants) };
    process.send!(reply);
  })();
});
process.on('SIGTERM', () => {
  void (async () => {
    observer.destroy();
    await runtime.stop();
    process.exit(0);
  })();
});
process.send!({ ready: true, url: runtime.url });
