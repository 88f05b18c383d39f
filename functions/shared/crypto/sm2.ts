/**
 * SM2 signatures (GM/T 0003-2012) with the SM3 digest over Z ‖ M, where Z is computed from the default
 * distinguishing identifier `1234567812345678` (GM/T 0009-2012) — exactly what `sm-crypto`'s
 * `doSignature(msg, priv, { hash: true, der: true })` produces, so institutions' own libraries interoperate
 * (DESIGN.md §7). Curve arithmetic comes from sm-crypto-v2 (noble-curves underneath); we add strict input
 * checks and a cache of precomputed public-key points, because verification runs on every API request.
 *
 * Messages given as strings are encoded as UTF-8 here, once, so a string and its UTF-8 bytes always sign
 * and verify the same.
 */
import { sm2 } from 'sm-crypto-v2';
import { sm3 } from './sm3';

/** GM/T 0009-2012: the default user id when none is agreed. */
const DEFAULT_USER_ID = '1234567812345678';
/** Order n of the SM2 base point (GM/T 0003.5 recommended curve). */
const CURVE_ORDER = BigInt('0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123');

const PUBLIC_KEY_PATTERN = /^04[0-9a-fA-F]{128}$/;
const PRIVATE_KEY_PATTERN = /^[0-9a-fA-F]{64}$/;

type PrecomputedPoint = ReturnType<typeof sm2.precomputePublicKey>;

interface VerifyingKey {
  /** The precomputed point, or the hex key itself when caching is off (decoded on each use). */
  readonly point: PrecomputedPoint | string;
  /** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ G ‖ P), fixed per key, so computed once. */
  readonly z: Uint8Array;
}

const toBytes = (message: Uint8Array | string): Uint8Array =>
  typeof message === 'string' ? Buffer.from(message, 'utf8') : message;

export function generateSm2KeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey, publicKey };
}

/** True for an uncompressed (`04…`, 130 hex chars) point that lies on the SM2 curve. */
export function isValidSm2PublicKey(hex: string): boolean {
  if (typeof hex !== 'string' || !PUBLIC_KEY_PATTERN.test(hex)) return false;
  try {
    return sm2.verifyPublicKey(hex);
  } catch {
    // noble-curves throws rather than answering false for points off the curve.
    return false;
  }
}

/** DER-encoded signature (SEQUENCE { INTEGER r, INTEGER s }). Throws on an invalid private key. */
export function sm2Sign(message: Uint8Array | string, privateKeyHex: string): Buffer {
  if (typeof privateKeyHex !== 'string' || !PRIVATE_KEY_PATTERN.test(privateKeyHex)) {
    throw new TypeError('SM2 private key must be 64 hex characters');
  }
  const d = BigInt(`0x${privateKeyHex}`);
  // GM/T 0003.1 §6.1: d ∈ [1, n-2].
  if (d < 1n || d > CURVE_ORDER - 2n) throw new RangeError('SM2 private key is out of range');
  const der = sm2.doSignature(toBytes(message), privateKeyHex, { hash: true, der: true, userId: DEFAULT_USER_ID });
  return Buffer.from(der, 'hex');
}

/**
 * Strict DER: one SEQUENCE of exactly two minimal, positive INTEGERs and nothing after it. The library's
 * own parser is lenient; being strict means one signature has exactly one accepted encoding.
 */
function parseDerSignature(der: Uint8Array): { r: bigint; s: bigint } | undefined {
  // Largest possible: 30 46 (02 21 00‖32 bytes) ×2 = 72 bytes; short-form lengths only.
  if (der.length < 8 || der.length > 72 || der[0] !== 0x30 || der[1] !== der.length - 2) return undefined;
  const integers: bigint[] = [];
  let offset = 2;
  for (let i = 0; i < 2; i++) {
    if (der[offset] !== 0x02) return undefined;
    const length = der[offset + 1];
    if (length === undefined || length < 1 || length > 33) return undefined;
    const start = offset + 2;
    const end = start + length;
    if (end > der.length) return undefined;
    const first = der[start]!;
    if (first & 0x80) return undefined; // negative
    if (first === 0x00 && length > 1 && !(der[start + 1]! & 0x80)) return undefined; // non-minimal
    integers.push(BigInt(`0x${Buffer.from(der.subarray(start, end)).toString('hex')}`));
    offset = end;
  }
  if (offset !== der.length) return undefined;
  return { r: integers[0]!, s: integers[1]! };
}

/** A small LRU over Map insertion order: a hit moves the entry to the back, overflow drops the front. */
class Lru<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}

export interface Sm2VerifierOptions {
  /** Public keys whose precomputed points are kept; 0 disables the cache. */
  readonly cacheSize?: number;
  /** wNAF window of the precomputed table: larger is faster per verify but slower to build and bigger. */
  readonly windowSize?: number;
}

export type Sm2VerifyFn = (message: Uint8Array | string, signatureDer: Uint8Array, publicKeyHex: string) => boolean;

/*
 * Defaults chosen by test/bench/sm2.bench.ts (2 vCPU, Node 20). Verifying against a bare hex key multiplies
 * the point without a table (~5 ms idle). A window-4 table costs ~6-8 ms and ~75 KB to build and makes each
 * verify 4-5x faster, so it pays for itself from a channel's second request. Window 8 is only 10-40% faster
 * again but costs ~60 ms and ~450 KB per key: a latency spike on every cold container and every new
 * channel that a Lambda serving many channels rarely earns back. 256 keys × ~75 KB bounds the cache near 19 MB.
 */
const DEFAULT_CACHE_SIZE = 256;
const DEFAULT_WINDOW_SIZE = 4;

/** Builds a verifier with its own key cache; {@link sm2Verify} is the process-wide default instance. */
export function createSm2Verifier(options: Sm2VerifierOptions = {}): Sm2VerifyFn {
  const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  const windowSize = options.windowSize ?? DEFAULT_WINDOW_SIZE;
  const cache = cacheSize > 0 ? new Lru<VerifyingKey>(cacheSize) : undefined;

  const verifyingKey = (publicKeyHex: string): VerifyingKey | undefined => {
    if (typeof publicKeyHex !== 'string' || !PUBLIC_KEY_PATTERN.test(publicKeyHex)) return undefined;
    const normalized = publicKeyHex.toLowerCase();
    const cached = cache?.get(normalized);
    if (cached) return cached;
    // Only keys that passed this check are ever cached, so a hit needs no second look.
    if (!isValidSm2PublicKey(normalized)) return undefined;
    const z = sm2.getZ(normalized, DEFAULT_USER_ID);
    // A table is only worth building if it is kept: without a cache, hand the library the hex key.
    if (!cache) return { point: normalized, z };
    const key: VerifyingKey = { point: sm2.precomputePublicKey(normalized, windowSize), z };
    cache.set(normalized, key);
    return key;
  };

  return (message, signatureDer, publicKeyHex) => {
    try {
      if (!(signatureDer instanceof Uint8Array)) return false;
      if (typeof message !== 'string' && !(message instanceof Uint8Array)) return false;
      const rs = parseDerSignature(signatureDer);
      // GM/T 0003.2 §7.1 B1-B2: r', s' ∈ [1, n-1].
      if (!rs || rs.r < 1n || rs.r >= CURVE_ORDER || rs.s < 1n || rs.s >= CURVE_ORDER) return false;
      const key = verifyingKey(publicKeyHex);
      if (!key) return false;
      // GM/T 0003.2 §7.1 B3-B4: e = SM3(Z_A ‖ M'), hashed here with node:crypto.
      const e = sm3(Buffer.concat([key.z, toBytes(message)]));
      const rsHex = rs.r.toString(16).padStart(64, '0') + rs.s.toString(16).padStart(64, '0');
      return sm2.doVerifySignature(e, rsHex, key.point, { hash: false, der: false });
    } catch {
      // Malformed input of any kind is a failed verification, never an exception on the request path.
      return false;
    }
  };
}

/** Verifies a DER SM2 signature; false (never a throw) for any malformed message, signature or key. */
export const sm2Verify: Sm2VerifyFn = createSm2Verifier();
