/**
 * Small helpers shared by the DynamoDB adapters: condition failures, expiry, key stripping, chunking and
 * backoff for the batch APIs. Nothing here knows about the registry's rules.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** True when a write was refused by its ConditionExpression (the normal "someone else got there" case). */
export function isConditionalCheckFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

export const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/**
 * TTL deletion lags (up to days on AWS, never on dynalite), so readers must treat an item whose
 * `expiresAt` (epoch seconds) lies in the past as absent.
 */
export function isExpired(item: Readonly<Record<string, unknown>>, nowSeconds: number): boolean {
  const expiresAt = item['expiresAt'];
  return typeof expiresAt === 'number' && expiresAt < nowSeconds;
}

/** Removes the storage-only key attributes (and any others named) from an item read back. */
export function withoutKeys(item: Readonly<Record<string, unknown>>, ...extra: string[]): Record<string, unknown> {
  const stripped: Record<string, unknown> = {};
  const drop = new Set(['pk', 'sk', ...extra]);
  for (const [name, value] of Object.entries(item)) {
    if (!drop.has(name)) stripped[name] = value;
  }
  return stripped;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Runs `task` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Full-jitter exponential backoff (AWS guidance for unprocessed batch items). */
export function backoff(attempt: number, baseMs = 50, capMs = 2_000): Promise<void> {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/** Attempts at a batch call before unprocessed items are reported as a failure. */
export const MAX_BATCH_ATTEMPTS = 8;
