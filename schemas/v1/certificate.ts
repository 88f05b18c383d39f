/**
 * E-certificates (issue 3 item 5): GET /v1/filings/{filingId}/certificate (the filing channel) and the
 * public GET /v1/certificates/{certificateNo}/verification. Holders' names and ID numbers are masked in
 * the signed document itself, with the keyed blind index of the ID number (functions/core/domain/certificate.ts).
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';

const HEX64 = /^[0-9a-fA-F]{64}$/;

const personSchema = z.object({
  name: z.string().meta({ description: 'Masked, e.g. `张*丰`.' }),
  idType: z.string(),
  idNumber: z.string().meta({ description: 'Masked, e.g. `3701**********1234`.' }),
  idIndex: z.string().meta({ description: "Keyed blind index of the ID number: the registry matches it to the holder's ID number." }),
});
const organisationSchema = z.object({ name: z.string(), uscc: z.string().optional(), institutionId: z.string().optional() });
const partySchema = z.union([personSchema, organisationSchema]);

export const certificateDocumentSchema = z.object({
  certificateNo: z.string().meta({ description: 'e.g. `鲁(2026)济南市历下区不动产证明第0000123号`.' }),
  kind: z.enum(['PROOF', 'TITLE']).meta({ description: '`PROOF`: 不动产登记证明 (mortgages, notices); `TITLE`: 不动产权证书 (ownership).' }),
  kindName: z.string(),
  businessType: z.enum(BUSINESS_TYPES),
  registrationName: z.string(),
  district: z.string(),
  unitCode: z.string(),
  address: z.string(),
  areaM2: z.string(),
  rightHolders: z.array(partySchema),
  obligors: z.array(partySchema),
  right: z.record(z.string(), z.string()),
  filingId: z.string(),
  registeredAt: z.string(),
});

export const certificateViewSchema = z.object({
  certificateNo: z.string(),
  document: certificateDocumentSchema.meta({
    description: 'The signed content. Its canonical form: keys sorted, no whitespace, UTF-8 (what `digest` and `signature` cover).',
  }),
  digest: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'Lower-case hex SM3 of the canonical document bytes.' }),
  signature: z.string().meta({ description: 'Base64 DER SM2 signature of the canonical bytes (SM3 over Z‖M, user id `1234567812345678`).' }),
  signatureAlgorithm: z.literal('SM2-SM3'),
  keyId: z.string(),
  issuedAt: z.string(),
  current: z.boolean().meta({ description: 'False once a later registration superseded it.' }),
});

export const verifyCertificateQuerySchema = z.strictObject({
  digest: z.string().regex(HEX64).meta({ description: 'Hex SM3 digest of the canonical certificate document (64 hex characters).' }),
});

export const verificationViewSchema = z.object({
  certificateNo: z.string(),
  genuine: z.boolean().meta({ description: 'The number exists, with this digest, under a valid platform signature. False for unknown numbers and wrong digests alike.' }),
  current: z.boolean().meta({ description: 'Genuine and not superseded (e.g. by a discharge or a transfer).' }),
  platformPublicKey: z.string().meta({ description: 'Uncompressed SM2 public key (hex) that verifies certificate signatures.' }),
  keyId: z.string(),
});
