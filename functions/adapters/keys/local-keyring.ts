/**
 * The local runtime's stand-in for KMS (KMS has no emulator here): a 32-byte master key in a file that
 * only its owner can read, wrapping data keys with SM4-CBC and an HMAC-SM3 tag that binds the encryption
 * context — so, as with KMS, a wrapped key unwraps only under the context it was made with.
 *
 * For development and demos only: the master key sits on disk, unprotected by any HSM.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyProvider } from '../../core/ports';
import { hmacSm3, sm3Hex } from '../../shared/crypto/sm3';
import { sm4CbcDecrypt, sm4CbcEncrypt } from '../../shared/crypto/sm4';

const MASTER_FILE = 'master.key';
const MASTER_BYTES = 32;
const DATA_KEY_BYTES = 32;
const FORMAT = 0x01;
const IV_BYTES = 16;
/** 32-byte key + one full PKCS#7 padding block. */
const CIPHERTEXT_BYTES = 48;
const TAG_BYTES = 32;
const WRAPPED_BYTES = 1 + IV_BYTES + CIPHERTEXT_BYTES + TAG_BYTES;

/** Canonical JSON of the context (keys sorted), so `{a,b}` and `{b,a}` are the same context. */
function canonicalContext(context: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function lengthPrefixed(parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(part.length);
      return [length, Buffer.from(part)];
    }),
  );
}

async function readOrCreateMasterKey(dir: string): Promise<Buffer> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, MASTER_FILE);
  try {
    // 'wx' fails if the file exists, so two processes starting together never overwrite each other's key.
    await writeFile(path, randomBytes(MASTER_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const master = await readFile(path);
  if (master.length !== MASTER_BYTES) {
    throw new Error(`Local keyring master key at ${path} must be exactly ${MASTER_BYTES} bytes`);
  }
  return master;
}

export class LocalKeyring implements KeyProvider {
  readonly keyId: string;
  private readonly wrapKey: Buffer;
  private readonly macKey: Buffer;

  private constructor(master: Buffer) {
    this.keyId = `local:${sm3Hex(master).slice(0, 16)}`;
    // Separate keys for encryption and authentication, derived with distinct labels.
    this.wrapKey = hmacSm3(master, 'zhitong/local-keyring/v1/wrap').subarray(0, 16);
    this.macKey = hmacSm3(master, 'zhitong/local-keyring/v1/mac');
  }

  /** Opens the keyring in `dir`, creating the directory (0700) and the master key (0600) on first use. */
  static async open(dir: string): Promise<LocalKeyring> {
    return new LocalKeyring(await readOrCreateMasterKey(dir));
  }

  async generateDataKey(context: Readonly<Record<string, string>>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }> {
    const plaintext = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const ciphertext = sm4CbcEncrypt(this.wrapKey, iv, plaintext);
    const tag = this.tag(context, iv, ciphertext);
    return { plaintext, wrapped: Buffer.concat([Buffer.of(FORMAT), iv, ciphertext, tag]) };
  }

  async unwrapDataKey(wrapped: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array> {
    const blob = Buffer.from(wrapped);
    if (blob.length !== WRAPPED_BYTES || blob[0] !== FORMAT) {
      throw new Error('Wrapped data key is not a local keyring blob');
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const ciphertext = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + CIPHERTEXT_BYTES);
    const tag = blob.subarray(1 + IV_BYTES + CIPHERTEXT_BYTES);
    if (!timingSafeEqual(this.tag(context, iv, ciphertext), tag)) {
      throw new Error(`Cannot unwrap data key with ${this.keyId}: the encryption context differs or the blob was altered`);
    }
    return sm4CbcDecrypt(this.wrapKey, iv, ciphertext);
  }

  private tag(context: Readonly<Record<string, string>>, iv: Uint8Array, ciphertext: Uint8Array): Buffer {
    return hmacSm3(this.macKey, lengthPrefixed([Buffer.from(canonicalContext(context), 'utf8'), iv, ciphertext]));
  }
}
