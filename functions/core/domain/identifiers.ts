/**
 * Identifiers the platform allocates. A filing's id is derived from its channel and the filer's
 * `clientRef`, so that `clientRef` is unique per channel by construction: one conditional write on the
 * filing's own key both stores it and enforces uniqueness, with no second "guard" item to keep in step
 * (dynalite and our saga design avoid multi-item transactions).
 */
import { createHash, randomBytes } from 'node:crypto';

export function filingIdFor(channelId: string, clientRef: string): string {
  const digest = createHash('sm3').update(`${channelId}\n${clientRef}`, 'utf8').digest('hex');
  return `F${digest.slice(0, 24).toUpperCase()}`;
}

/** A batch id: time-ordered prefix (CST date) and 80 random bits. */
export function newBatchId(now: Date): string {
  const day = new Date(now.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10).replaceAll('-', '');
  return `B${day}${randomBytes(10).toString('hex').toUpperCase()}`;
}
