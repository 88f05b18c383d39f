/**
 * Credit worker (DESIGN.md §4; 002 三(一)6: track each institution's use of its channel and close the channel
 * of one that files irregularly or dishonestly): fed by the credit queue in batches of signals, it hands
 * each channel's signals to the one credit mechanism ({@link applySignals}), which records them in the
 * ledger once each, derives score and grade, opens a shutoff case when due, projects the standing onto the
 * channel record, audits and notifies.
 *
 * Why the batch is grouped by channel rather than processed message by message (as intake is): one
 * evaluation per channel writes its state once for all its signals, instead of several evaluations racing
 * on the same state item (each would lose the conditional write to the other and start again). Failures
 * are reported per message as a partial batch response, built here by hand because Powertools'
 * BatchProcessor fails records one by one:
 * - a message that does not parse as credit.v1 fails alone (logged by message id and the schema's
 *   complaint, never its content); after the queue's maxReceiveCount it is dead-lettered, where an operator
 *   sees it, instead of being dropped;
 * - a channel whose evaluation fails (its table unavailable, an unknown channel) fails its own messages
 *   only; every other channel's signals are applied and deleted.
 * Redelivery is harmless: a signal's ledger event id derives from its cause and the state remembers the
 * signals it counted, so the same signal delivered five times changes the score once.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { CreditSignal } from '../core/domain/credit';
import { ZtError } from '../core/domain/errors';
import { applySignals } from '../core/use-cases/credit-standing';
import { logger } from '../shared/logger';
import { flushMetricsPerInvocation } from '../shared/metrics';
import { queues } from '../../infra/topology';
import { parseCreditMessage } from '../../schemas/messages/credit.v1';
import { creditPorts } from '../shared/credit-deps';

/** Built once per process (STYLE.md: clients never per invocation). */
const ports = creditPorts;

interface Parsed {
  readonly messageId: string;
  readonly signal: CreditSignal;
}

/** Name and message of an error: ours and the SDK's carry no message body and no personal data. */
const errorFields = (error: unknown): { errorName: string; errorMessage?: string; code?: string } =>
  error instanceof ZtError
    ? { errorName: error.name, code: error.code }
    : error instanceof Error
      ? { errorName: error.name, errorMessage: error.message }
      : { errorName: 'UnknownError' };

/** Parses every record; the ones that do not parse are reported failed (and so dead-lettered in the end). */
function parseAll(records: readonly SQSRecord[], failures: SQSBatchItemFailure[]): Parsed[] {
  const parsed: Parsed[] = [];
  for (const record of records) {
    try {
      parsed.push({ messageId: record.messageId, signal: parseCreditMessage(record.body) });
    } catch (error) {
      logger.error('Credit message does not parse', {
        messageId: record.messageId,
        attempt: Number(record.attributes.ApproximateReceiveCount) || 1,
        ...errorFields(error),
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return parsed;
}

/** Signals by channel, each channel's in the order they happened (a violation ends a run of clean filings). */
function byChannel(parsed: readonly Parsed[]): Map<string, Parsed[]> {
  const groups = new Map<string, Parsed[]>();
  for (const item of parsed) {
    const group = groups.get(item.signal.channelId);
    if (group) group.push(item);
    else groups.set(item.signal.channelId, [item]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => (a.signal.at < b.signal.at ? -1 : a.signal.at > b.signal.at ? 1 : a.signal.signalId < b.signal.signalId ? -1 : a.signal.signalId > b.signal.signalId ? 1 : 0));
  }
  return groups;
}

/** Applies each channel's signals (channels in parallel: their states are separate items). */
export async function processCreditBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchItemFailure[] = [];
  const groups = byChannel(parseAll(event.Records, failures));
  if (groups.size === 0) return { batchItemFailures: failures };
  const resolved = await ports();
  await Promise.all(
    [...groups].map(async ([channelId, group]) => {
      try {
        const state = await applySignals(resolved, channelId, group.map((g) => g.signal));
        logger.info('Credit signals applied', {
          channelId,
          signals: group.length,
          kinds: [...new Set(group.map((g) => g.signal.kind))].join(','),
          score: state.score,
          grade: state.grade,
          ...(state.openCaseNo ? { caseNo: state.openCaseNo } : {}),
        });
      } catch (error) {
        logger.error('Credit signals could not be applied', { channelId, signals: group.length, messageIds: group.map((g) => g.messageId).join(','), ...errorFields(error) });
        for (const { messageId } of group) failures.push({ itemIdentifier: messageId });
      }
    }),
  );
  return { batchItemFailures: failures };
}

export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(flushMetricsPerInvocation({ maxReceiveCount: queues.credit.maxReceiveCount }))
  // A batch whose every message failed is still answered, not thrown: the failures are per message, the
  // dead-letter count sees them, and the DLQ alarm is what calls an operator.
  .handler(async (event: SQSEvent) => processCreditBatch(event));
