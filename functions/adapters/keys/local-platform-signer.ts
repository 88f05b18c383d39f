/**
 * The local runtime's platform signing key (KMS has no emulator here): an SM2 key pair whose private key
 * sits in the local keyring directory, in a file only its owner can read, created on first use. It signs
 * exactly as the KMS SM2 key does (SM3 over Z ‖ M, default user id, DER), so receivers verify local and
 * cloud deliveries the same way.
 *
 * For development and demos only: the private key sits on disk, unprotected by any HSM.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sm2 } from 'sm-crypto-v2';
import type { PlatformSigner } from '../../core/ports';
import { generateSm2KeyPair, sm2Sign } from '../../shared/crypto/sm2';
import { sm3Hex } from '../../shared/crypto/sm3';

export const PLATFORM_KEY_FILE = 'platform-signing.key';
const PRIVATE_KEY_PATTERN = /^[0-9a-f]{64}$/;

/** `<prefix>:<first 16 hex of SM3(public key bytes)>`: names the key without revealing anything. */
export const platformKeyId = (prefix: string, publicKeyHex: string): string =>
  `${prefix}:${sm3Hex(Buffer.from(publicKeyHex, 'hex')).slice(0, 16)}`;

async function readOrCreatePrivateKey(dir: string, file: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, file);
  try {
    // 'wx' fails if the file exists, so two processes starting together never overwrite each other's key.
    await writeFile(path, `${generateSm2KeyPair().privateKey}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const privateKey = (await readFile(path, 'utf8')).trim().toLowerCase();
  if (!PRIVATE_KEY_PATTERN.test(privateKey)) throw new Error(`Local platform signing key at ${path} is not 64 hex characters`);
  return privateKey;
}

export class LocalPlatformSigner implements PlatformSigner {
  readonly keyId: string;
  readonly #privateKey: string;
  readonly #publicKey: string;

  private constructor(privateKey: string, prefix: string) {
    this.#privateKey = privateKey;
    this.#publicKey = sm2.getPublicKeyFromPrivateKey(privateKey);
    this.keyId = platformKeyId(prefix, this.#publicKey);
  }

  /**
   * Opens the key in `dir` (the local keyring directory), creating it (0600) on first use. `file` names
   * another key of the keyring (the audit log's `log-signing.key`), `prefix` its key ids.
   */
  static async open(dir: string, file = PLATFORM_KEY_FILE, prefix = 'local-sm2'): Promise<LocalPlatformSigner> {
    return new LocalPlatformSigner(await readOrCreatePrivateKey(dir, file), prefix);
  }

  async publicKeyHex(): Promise<string> {
    return this.#publicKey;
  }

  async sign(message: Uint8Array): Promise<Buffer> {
    return sm2Sign(message, this.#privateKey);
  }
}
