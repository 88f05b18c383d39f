/**
 * Business metrics (functions/shared/metrics.ts, issue 7 §4): counted by one-line calls, flushed once per
 * invocation by the chains' and workers' middleware as CloudWatch EMF, with codes as dimension values.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import middy from '@middy/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpWebhookSender } from '../../../functions/adapters/http/webhook-sender';
import {
  countAuthFailureAndRethrow,
  countFilingTransition,
  countSignatureFailure,
  flushMetricsPerInvocation,
  publishMetrics,
} from '../../../functions/shared/metrics';
import { ZtError } from '../../../functions/core/domain/errors';

interface Emf {
  readonly _aws: { readonly CloudWatchMetrics: { readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: { Name: string }[] }[] };
  readonly [key: string]: unknown;
}

let written: string[];
beforeEach(() => {
  publishMetrics(); // nothing left over from another test
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const emitted = (): Emf[] =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Emf);
const point = (emf: Emf) => {
  const [directive] = emf._aws.CloudWatchMetrics;
  const name = directive!.Metrics[0]!.Name;
  const dimensions = Object.fromEntries(directive!.Dimensions[0]!.filter((d) => d !== 'service').map((d) => [d, emf[d]]));
  return { namespace: directive!.Namespace, name, dimensions, value: emf[name] };
};

const context = { awsRequestId: 'r-1', functionName: 'fixture' } as never;

describe('business metrics', () => {
  it('flushes what one invocation counted once, at its end: one EMF line per metric and dimensions', async () => {
    // Prepare
    const handler = middy(async () => {
      countFilingTransition('ACCEPTED');
      countFilingTransition('ACCEPTED');
      countFilingTransition('REFUSED', 'UNIT_SEIZED');
      expect(emitted()).toEqual([]); // nothing before the invocation ends
      return 'ok';
    }).use(flushMetricsPerInvocation());

    // Act
    await handler({}, context);
    const first = emitted().map(point);
    written.length = 0;
    await middy(async () => 'nothing counted').use(flushMetricsPerInvocation())({}, context);

    // Assess
    expect(first).toEqual([
      { namespace: 'Zhitong', name: 'FilingTransitions', dimensions: { status: 'ACCEPTED', reason: 'NONE' }, value: 2 },
      { namespace: 'Zhitong', name: 'FilingTransitions', dimensions: { status: 'REFUSED', reason: 'UNIT_SEIZED' }, value: 1 },
    ]);
    // An invocation that counted nothing writes nothing (no EMF, no "no metrics" warning).
    expect(written.join('')).toBe('');
  });

  it('counts a 401 refusal by its code, rethrows it, and flushes when the invocation fails', async () => {
    const refusal = new ZtError(401, 'AUTH_BAD_SIGNATURE', 'Unauthenticated', 'The signature does not verify.');
    const handler = middy(async () => Promise.reject(refusal).catch(countAuthFailureAndRethrow)).use(flushMetricsPerInvocation());

    await expect(handler({}, context)).rejects.toBe(refusal);
    await expect(Promise.reject(new ZtError(403, 'CHANNEL_DISABLED', 'Forbidden', 'x')).catch(countAuthFailureAndRethrow)).rejects.toThrow();
    publishMetrics();

    expect(emitted().map(point)).toEqual([{ namespace: 'Zhitong', name: 'SignatureFailures', dimensions: { reason: 'AUTH_BAD_SIGNATURE' }, value: 1 }]);
  });

  it('never takes free text as a dimension value', () => {
    countSignatureFailure('张三 110101199003071234');
    countFilingTransition('REFUSED', 'a reason with spaces');
    publishMetrics();
    expect(emitted().map((e) => point(e).dimensions)).toEqual([{ reason: 'UNKNOWN' }, { status: 'REFUSED', reason: 'NONE' }]);
    expect(written.join('')).not.toContain('110101199003071234');
  });

  it('counts as dead letters the messages a worker fails on their last allowed receive, and only those', async () => {
    const record = (messageId: string, receives: number) => ({
      messageId,
      eventSourceARN: 'arn:aws:sqs:ap-east-1:123456789012:zt-notifications',
      attributes: { ApproximateReceiveCount: String(receives) },
    });
    const event = { Records: [record('last-failed', 8), record('early-failed', 2), record('last-ok', 8)] };
    const partial = middy(async () => ({ batchItemFailures: [{ itemIdentifier: 'last-failed' }, { itemIdentifier: 'early-failed' }] })).use(
      flushMetricsPerInvocation({ maxReceiveCount: 8 }),
    );
    const whole = middy(async (): Promise<never> => {
      throw new Error('the whole batch failed');
    }).use(flushMetricsPerInvocation({ maxReceiveCount: 8 }));

    await partial(event, context);
    await expect(whole(event, context)).rejects.toThrow('the whole batch failed');

    expect(emitted().map(point)).toEqual([
      { namespace: 'Zhitong', name: 'DeadLetters', dimensions: { queue: 'zt-notifications' }, value: 1 },
      { namespace: 'Zhitong', name: 'DeadLetters', dimensions: { queue: 'zt-notifications' }, value: 2 },
    ]);
  });

  describe('webhook failures', () => {
    let server: Server;
    let status = 503;
    beforeEach(async () => {
      server = createServer((_request, response) => {
        response.statusCode = status;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => new Promise((resolve) => server.close(resolve)));

    it('counts each delivery attempt answered other than 2xx, or not answered, by reason', async () => {
      const sender = new HttpWebhookSender({ policy: { allowLocal: true } });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
      await sender.post({ url, headers: {}, body: '{}' });
      status = 204;
      await sender.post({ url, headers: {}, body: '{}' });
      await sender.post({ url: 'not a url', headers: {}, body: '{}' });
      sender.close();
      publishMetrics();
      expect(emitted().map(point)).toEqual([
        { namespace: 'Zhitong', name: 'WebhookFailures', dimensions: { reason: 'HTTP_503' }, value: 1 },
        { namespace: 'Zhitong', name: 'WebhookFailures', dimensions: { reason: 'INVALID_URL' }, value: 1 },
      ]);
    });
  });
});
