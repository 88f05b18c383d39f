/**
 * Chooses the platform signer from configuration (DESIGN.md §6): the KMS SM2 key in the cloud
 * (PLATFORM_SIGNING_KEY_ID), the local keyring's SM2 key pair on `npm start` (KEY_PROVIDER=local).
 * Missing settings fail at start-up, not on the first delivery.
 */
import { KEY_PROVIDER_ENV, LOCAL_KEYRING_DIR_ENV, PLATFORM_SIGNING_KEY_ENV } from '../../../infra/topology';
import type { PlatformSigner } from '../../core/ports';
import { getStringFromEnv } from '../../shared/config';
import { kms } from '../aws-clients';
import { KmsPlatformSigner } from './kms-platform-signer';
import { LocalPlatformSigner } from './local-platform-signer';

export async function platformSignerFromEnv(): Promise<PlatformSigner> {
  const kind = process.env[KEY_PROVIDER_ENV]?.trim() || 'kms';
  switch (kind) {
    case 'kms':
      return KmsPlatformSigner.open({ client: kms(), keyId: getStringFromEnv(PLATFORM_SIGNING_KEY_ENV) });
    case 'local':
      return LocalPlatformSigner.open(getStringFromEnv(LOCAL_KEYRING_DIR_ENV));
    default:
      throw new Error(`${KEY_PROVIDER_ENV} must be 'kms' or 'local'`);
  }
}
