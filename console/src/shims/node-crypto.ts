/**
 * The one part of node:crypto the audit verifier (client/zt-audit.ts) uses, for the browser: `createHash`
 * with SM3, from sm-crypto-v2 (pure JavaScript; browsers' WebCrypto has no SM3). Any other algorithm throws.
 */
import { Buffer } from 'buffer';
import { sm3 } from 'sm-crypto-v2';

interface Hash {
  update(data: Uint8Array | string): Hash;
  digest(): Buffer;
  digest(encoding: 'hex'): string;
}

export function createHash(algorithm: string): Hash {
  if (algorithm !== 'sm3') throw new Error(`The console's crypto has SM3 only, not ${algorithm}`);
  const parts: Uint8Array[] = [];
  const hash: Hash = {
    update(data) {
      parts.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
      return hash;
    },
    digest(encoding?: 'hex') {
      const hex = sm3(Buffer.concat(parts));
      return (encoding === 'hex' ? hex : Buffer.from(hex, 'hex')) as never;
    },
  };
  return hash;
}
