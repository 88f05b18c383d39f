/**
 * The audit log's signing key (DESIGN.md §5: tree heads are signed "with an SM2 key that the writers cannot
 * use"): a second SM2 key, apart from the platform key — the KMS key of LOG_SIGNING_KEY_ID in the cloud
 * (kms:Sign granted to the checkpoint function alone, infra/cdk), `log-signing.key` in the local keyring
 * on `npm start` (LOG_SIGNING_KEY_ID=local, a variable the local runtime shows only to functions declared
 * `logKey`, infra/local/invocation-scope.ts). Same signature scheme as the platform key (SM3, default user
 * id, DER), so verifiers need nothing new.
 */
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, LOG_SIGNING_KEY_ENV } from '../../../infra/topology';
import type { TreeHeadSigner } from '../../core/ports';
import { getStringFromEnv } from '../../shared/config';
import { kms } from '../aws-clients';
import { KmsPlatformSigner } from './kms-platform-signer';
import { LocalPlatformSigner } from './local-platform-signer';

export const LOG_KEY_FILE = 'log-signing.key';

export async function logSignerFromEnv(): Promise<TreeHeadSigner> {
  // Required in both modes: without the variable (a function not declared `logKey`) there is no log key.
  const keyId = getStringFromEnv(LOG_SIGNING_KEY_ENV);
  const kind = process.env[KEY_PROVIDER_ENV]?.trim() || 'kms';
  switch (kind) {
    case 'kms':
      return KmsPlatformSigner.open({ client: kms(), keyId, keyIdPrefix: 'kms-sm2-log' });
    case 'local':
      if (keyId !== 'local') throw new Error(`${LOG_SIGNING_KEY_ENV} must be 'local' with ${KEY_PROVIDER_ENV}=local`);
      return LocalPlatformSigner.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV), LOG_KEY_FILE, 'local-sm2-log');
    default:
      throw new Error(`${KEY_PROVIDER_ENV} must be 'kms' or 'local'`);
  }
}
