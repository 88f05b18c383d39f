/**
 * A personal-data vault whose keys exist only in this process (random, never stored, never wrapped): the
 * same SM4 / HMAC-SM3 work as the real vault, on nothing real. Public lookups run it when there is no
 * filing to check against, so a miss costs what a hit costs (no timing oracle, DESIGN.md §5).
 */
import { randomBytes } from 'node:crypto';
import type { PersonalDataVault, PiiField } from '../../core/ports';
import { blindIndex, deriveTenantKeys, openField, sealField, type TenantKeys } from '../../shared/crypto/field-cipher';

export class DecoyVault implements PersonalDataVault {
  private readonly keys = new Map<string, TenantKeys>();

  private keysFor(tenant: string): TenantKeys {
    let keys = this.keys.get(tenant);
    if (!keys) {
      keys = deriveTenantKeys(tenant, 1, randomBytes(32));
      this.keys.set(tenant, keys);
    }
    return keys;
  }

  async seal(tenant: string, field: PiiField, plaintext: string, bindTo: string): Promise<string> {
    return sealField(this.keysFor(tenant), field, plaintext, bindTo);
  }

  async open(tenant: string, field: PiiField, sealed: string, bindTo: string): Promise<string> {
    return openField(this.keysFor(tenant), field, sealed, bindTo);
  }

  async blindIndex(tenant: string, kind: 'idNumber' | 'content', value: string): Promise<string> {
    return blindIndex(this.keysFor(tenant), kind, value);
  }
}

/** A decoy for lookups: the vault, its tenant, and one sealed name to open on a miss. */
export async function lookupDecoy(): Promise<{ vault: DecoyVault; tenant: string; sealedName: string; bindTo: string }> {
  const vault = new DecoyVault();
  const tenant = 'decoy';
  const bindTo = `F${'0'.repeat(24)}`;
  return { vault, tenant, bindTo, sealedName: await vault.seal(tenant, 'name', '某某某', bindTo) };
}
