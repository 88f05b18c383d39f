/**
 * Idempotency-Key records on the `guards` table (DESIGN.md §7): pk `IDEM#<scope>#<key>`, sk `IDEM`.
 *
 * A record is IN_PROGRESS while its first request runs (with a short `lockExpiresAt`, so that a claim
 * left by a crashed request can be re-taken by a retry of the same request), then COMPLETED with the
 * response to replay, until `expiresAt`. Every step is a single-item conditional write.
 *
 * Responses are stored gzip-compressed as Binary: the answer to a 500-filing batch can exceed
 * DynamoDB's 400 KB item limit as text but compresses far below it.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IdempotencyClaim, IdempotencyStore, StoredResponse } from '../../core/ports';
import { tableEnvVar } from '../../../infra/topology';
import { getStringFromEnv } from '../../shared/config';
import { dynamoDocumentClient } from '../aws-clients';
import { epochSeconds, isConditionalCheckFailed, isExpired } from './dynamo-support';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** Compressed bodies above this are refused: the rest of the item must fit in DynamoDB's 400 KB too. */
export const MAX_STORED_BODY_BYTES = 350 * 1024;

const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';
/** Rounds of claim-then-read before giving up: the record can vanish or lapse between the two. */
const CLAIM_ROUNDS = 3;

export interface DynamoIdempotencyStoreDeps {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
  /** How long an IN_PROGRESS claim holds before a retry may take it over; longer than any API function runs. */
  readonly inProgressSeconds?: number;
}

interface StoredBody {
  readonly statusCode: number;
  readonly bodyGzip: Uint8Array;
}

export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly now: () => Date;
  private readonly inProgressSeconds: number;

  constructor(private readonly deps: DynamoIdempotencyStoreDeps) {
    this.now = deps.now ?? (() => new Date());
    this.inProgressSeconds = deps.inProgressSeconds ?? 60;
  }

  async claim(scope: string, key: string, requestHash: string, ttlSeconds: number): Promise<IdempotencyClaim> {
    for (let round = 0; round < CLAIM_ROUNDS; round++) {
      if (await this.tryClaim(scope, key, requestHash, ttlSeconds)) return { kind: 'claimed' };
      const { Item } = await this.deps.client.send(
        new GetCommand({ TableName: this.deps.tableName, Key: idempotencyKey(scope, key), ConsistentRead: true }),
      );
      const now = epochSeconds(this.now());
      // Released or expired since our claim failed: try to claim again.
      if (Item === undefined || isExpired(Item, now)) continue;
      if (Item['requestHash'] !== requestHash) return { kind: 'mismatch' };
      if (Item['state'] === COMPLETED) return { kind: 'replay', response: await decodeResponse(Item['response'] as StoredBody) };
      // IN_PROGRESS by a request that has since crashed: take it over.
      if (typeof Item['lockExpiresAt'] === 'number' && Item['lockExpiresAt'] < now) continue;
      return { kind: 'inProgress' };
    }
    return { kind: 'inProgress' };
  }

  /**
   * Stores the response for replay, only while the claim with this hash is still IN_PROGRESS. When it is
   * not (it expired and was taken by another request), the response is not stored: the request that ran
   * still gets it, and the key now belongs to the other request.
   */
  async complete(scope: string, key: string, requestHash: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    const stored = await encodeResponse(response);
    try {
      await this.deps.client.send(
        new UpdateCommand({
          TableName: this.deps.tableName,
          Key: idempotencyKey(scope, key),
          UpdateExpression: 'SET #state = :completed, #response = :response, expiresAt = :expiresAt REMOVE lockExpiresAt',
          ConditionExpression: '#state = :inProgress AND requestHash = :hash',
          ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
          ExpressionAttributeValues: {
            ':completed': COMPLETED,
            ':inProgress': IN_PROGRESS,
            ':response': stored,
            ':expiresAt': epochSeconds(this.now()) + ttlSeconds,
            ':hash': requestHash,
          },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async release(scope: string, key: string): Promise<void> {
    try {
      await this.deps.client.send(
        new DeleteCommand({
          TableName: this.deps.tableName,
          Key: idempotencyKey(scope, key),
          // A completed record is the first request's answer: never released.
          ConditionExpression: '#state = :inProgress',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':inProgress': IN_PROGRESS },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private async tryClaim(scope: string, key: string, requestHash: string, ttlSeconds: number): Promise<boolean> {
    const now = epochSeconds(this.now());
    try {
      await this.deps.client.send(
        new PutCommand({
          TableName: this.deps.tableName,
          Item: {
            ...idempotencyKey(scope, key),
            requestHash,
            state: IN_PROGRESS,
            expiresAt: now + ttlSeconds,
            lockExpiresAt: now + this.inProgressSeconds,
          },
          // Absent, expired, or left IN_PROGRESS by a crashed run of the same request. A different request
          // never takes over a lapsed claim: the key stays bound to the first request's body.
          ConditionExpression:
            'attribute_not_exists(pk) OR expiresAt < :now OR (#state = :inProgress AND lockExpiresAt < :now AND requestHash = :hash)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':now': now, ':inProgress': IN_PROGRESS, ':hash': requestHash },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

function idempotencyKey(scope: string, key: string): { pk: string; sk: string } {
  return { pk: `IDEM#${scope}#${key}`, sk: 'IDEM' };
}

async function encodeResponse(response: StoredResponse): Promise<StoredBody> {
  const bodyGzip = new Uint8Array(await gzipAsync(Buffer.from(response.body, 'utf8')));
  if (bodyGzip.byteLength > MAX_STORED_BODY_BYTES) {
    throw new Error(`Idempotent response too large to store: ${bodyGzip.byteLength} bytes compressed`);
  }
  return { statusCode: response.statusCode, bodyGzip };
}

async function decodeResponse(stored: StoredBody): Promise<StoredResponse> {
  const body = (await gunzipAsync(stored.bodyGzip)).toString('utf8');
  return { statusCode: stored.statusCode, body };
}

export function idempotencyStoreFromEnv(): DynamoIdempotencyStore {
  return new DynamoIdempotencyStore({ client: dynamoDocumentClient(), tableName: getStringFromEnv(tableEnvVar('guards')) });
}
