/**
 * Chooses the key provider from configuration (DESIGN.md §6, one topology, two runtimes): KMS in the
 * cloud, the local keyring on `npm start`. Missing settings fail at start-up, not on the first filing.
 */
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PII_KEY_ENV } from '../../../infra/topology';
import type { KeyProvider } from '../../core/ports';
import { getStringFromEnv } from '../../shared/config';
import { kms } from '../aws-clients';
import { KmsKeyProvider } from './kms-key-provider';
import { LocalKeyring } from './local-keyring';

export async function keyProviderFromEnv(): Promise<KeyProvider> {
  const kind = process.env[KEY_PROVIDER_ENV]?.trim() || 'kms';
  switch (kind) {
    case 'kms':
      return new KmsKeyProvider({ client: kms(), keyId: getStringFromEnv(PII_KEY_ENV) });
    case 'local':
      return LocalKeyring.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV));
    default:
      throw new Error(`${KEY_PROVIDER_ENV} must be 'kms' or 'local'`);
  }
}
