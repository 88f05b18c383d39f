/**
 * The encryption context of personal-data keys (DESIGN.md §5: the tenant is bound into it), declared once:
 * the vault builds it for every wrap and unwrap, and the CDK app's IAM condition on the PII key
 * (infra/cdk/zt-function.ts `bindPiiKey`) admits exactly this shape, so a function cannot use the key
 * for anything else even if its code were changed to.
 */
export const PII_CONTEXT_TENANT_KEY = 'tenant';
export const PII_CONTEXT_PURPOSE = { key: 'purpose', value: 'pii' } as const;
/** Every key the context has, and the only ones KMS accepts from our functions. */
export const PII_CONTEXT_KEYS = [PII_CONTEXT_PURPOSE.key, PII_CONTEXT_TENANT_KEY] as const;

/** Unwrapping a tenant's key under another tenant's name fails in KMS itself. */
export const piiEncryptionContext = (tenant: string): Readonly<Record<string, string>> => ({
  [PII_CONTEXT_TENANT_KEY]: tenant,
  [PII_CONTEXT_PURPOSE.key]: PII_CONTEXT_PURPOSE.value,
});
