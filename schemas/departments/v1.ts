/**
 * The department interface, version 1 (DESIGN.md §7b): what the registry delivers to a department system's
 * endpoint, and the result a department posts back to `POST /v1/departments/results`.
 *
 * Deliveries (registry → department) are SM2-signed by the platform, as webhooks are:
 *
 * ```
 * POST <department endpoint>
 * Content-Type: application/json; charset=utf-8
 * ZT-Delivery-Id: <requestId>:<type>          (the same on every redelivery: a department drops one it has seen)
 * ZT-Timestamp: <unix seconds of this attempt>
 * ZT-Signature: ZT-SM2 keyId="<platform key id>",signature="<base64 of DER SM2 signature>"
 * signed string = timestamp "\n" deliveryId "\n" lowercase-hex(SM3(body bytes)) "\n"
 * ```
 *
 * A 2xx answer means the department has the delivery; anything else is retried with backoff. Personal data
 * travels only inside `parties`, sealed for that department (functions/shared/crypto/department-seal.ts).
 */
import { z } from 'zod';
import { BUSINESS_TYPES } from '../../functions/core/domain/business-types';
import { REQUEST_ID_PATTERN, RESULT_KINDS, RESULT_OUTCOMES } from '../../functions/core/domain/coordination';
import { FILING_STATUSES } from '../../functions/core/domain/filing';
import { FILING_ID } from '../v1/path-parameters';
import { carriesPersonalIdentifier, PERSONAL_DATA_IN_TEXT } from '../identifiers';

export const MAX_DEPARTMENT_RESULT_BODY_BYTES = 4 * 1024;

const requestId = z.string().regex(REQUEST_ID_PATTERN).meta({ description: 'The request answered: `<filingId>-CF|TC|CR` as delivered.' });
const filingId = z.string().regex(FILING_ID);
const code = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/);
const reference = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/)
  // Shown to the institution and to staff in the clear: a resident ID or phone number is refused (002 五(一)).
  .superRefine((value, ctx) => {
    if (carriesPersonalIdentifier(value)) {
      ctx.addIssue({ code: 'custom', message: 'A reference must not carry a resident ID number or a phone number.', params: { code: PERSONAL_DATA_IN_TEXT } });
    }
  })
  .meta({ description: "The department's own reference (a contract filing number, a tax voucher number); never personal data (one carrying an ID or phone number is `PERSONAL_DATA_IN_TEXT`)." });

/** POST /v1/departments/results: a department's answer to one request. */
export const departmentResultSchema = z
  .strictObject({
    requestId,
    filingId,
    kind: z.enum(RESULT_KINDS),
    outcome: z.enum(RESULT_OUTCOMES).meta({
      description: '`CONFIRMED`: the result holds. `PENDING`: not yet (e.g. tax not paid yet); the filing keeps waiting. `REJECTED`: definitive; the filing is refused with `reasonCode`.',
    }),
    reasonCode: code.optional().meta({ description: 'Required with REJECTED, optional with PENDING: why, as a code (e.g. `CONTRACT_NOT_FILED`, `TAX_UNPAID`).' }),
    reference: reference.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.outcome === 'REJECTED' && value.reasonCode === undefined) {
      ctx.addIssue({ code: 'custom', path: ['reasonCode'], message: 'A REJECTED result needs a reasonCode.' });
    }
    if (value.outcome === 'CONFIRMED' && value.reasonCode !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['reasonCode'], message: 'A CONFIRMED result carries no reasonCode.' });
    }
  });
export type DepartmentResultBody = z.output<typeof departmentResultSchema>;

/** The answer to a result. */
export const departmentResultResponseSchema = z.strictObject({
  requestId,
  filingId,
  kind: z.enum(RESULT_KINDS),
  outcome: z.enum(RESULT_OUTCOMES),
  /** False when the result repeated one already recorded. */
  changed: z.boolean().meta({ description: 'False when this result repeats one already recorded: nothing changed.' }),
  filingStatus: z.enum(FILING_STATUSES),
});

/** The SM2+SM4 envelope holding the parties' personal data, sealed for the receiving department. */
export const sealedEnvelopeSchema = z
  .strictObject({
    alg: z.literal('SM2-SM4CBC-HMACSM3'),
    encryptedKey: z.string().regex(/^[0-9a-f]+$/).meta({ description: 'The 32-byte data key (16 SM4 + 16 HMAC-SM3), SM2-encrypted to the department (C1C3C2, hex).' }),
    iv: z.string().regex(/^[0-9a-f]{32}$/),
    ciphertext: z.string().meta({ description: 'base64 of SM4-CBC (PKCS#7) of the UTF-8 JSON `SealedParties`.' }),
    mac: z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'HMAC-SM3 under the second half of the data key over "SM2-SM4CBC-HMACSM3" ‖ iv ‖ ciphertext.' }),
  })
  .meta({ description: 'Personal data sealed for the receiving department (functions/shared/crypto/department-seal.ts).' });

const person = z.strictObject({ name: z.string(), idType: z.literal('RESIDENT_ID'), idNumber: z.string() });
/** The plaintext inside the envelope. */
export const sealedPartiesSchema = z.strictObject({ sellers: z.array(person).optional(), buyers: z.array(person).optional() });
export type SealedParties = z.output<typeof sealedPartiesSchema>;

const common = {
  v: z.literal(1),
  requestId,
  filingId,
  kind: z.enum(RESULT_KINDS),
  businessType: z.enum(BUSINESS_TYPES),
  unitCode: z.string(),
  district: z.string().regex(/^\d{6}$/),
};

/** REQUEST: asks the department for one result. */
export const departmentRequestSchema = z.strictObject({
  ...common,
  type: z.literal('REQUEST'),
  requestedAt: z.iso.datetime({ offset: true }),
  contractNo: z.string().optional(),
  priceFen: z.string().regex(/^\d+$/).optional(),
  projectId: z.string().optional(),
  completionRecordNo: z.string().optional(),
  /** Seller organisation (presale notice), not personal data. */
  seller: z.strictObject({ name: z.string(), uscc: z.string() }).optional(),
  parties: sealedEnvelopeSchema.optional(),
  /**
   * Where to answer: the registry's results endpoint. Absent when the registry has no public URL configured
   * (`ZT_RESULTS_URL`); the department then answers at the endpoint it was given when it was registered.
   */
  replyTo: z.url({ protocol: /^https?$/ }).optional(),
});
export type DepartmentRequest = z.output<typeof departmentRequestSchema>;

/** CANCEL: the registry no longer needs the result (the filing was withdrawn, or refused on another result). */
export const departmentCancellationSchema = z.strictObject({
  ...common,
  type: z.literal('CANCEL'),
  reason: z.enum(['WITHDRAWN', 'REFUSED']),
  cancelledAt: z.iso.datetime({ offset: true }),
});
export type DepartmentCancellation = z.output<typeof departmentCancellationSchema>;

/** REGISTRATION_RESULT: the outcome of the registration the department took part in (002 三(一)3). */
export const registrationResultSchema = z.strictObject({
  ...common,
  type: z.literal('REGISTRATION_RESULT'),
  certificateNo: z.string(),
  registeredAt: z.iso.datetime({ offset: true }),
});
export type RegistrationResult = z.output<typeof registrationResultSchema>;

/** Anything the registry delivers to a department endpoint. */
export const departmentDeliverySchema = z.discriminatedUnion('type', [departmentRequestSchema, departmentCancellationSchema, registrationResultSchema]);
export type DepartmentDelivery = z.output<typeof departmentDeliverySchema>;

export const DELIVERY_HEADERS = { deliveryId: 'ZT-Delivery-Id', timestamp: 'ZT-Timestamp', signature: 'ZT-Signature' } as const;
export const deliveryIdOf = (requestId: string, type: DepartmentDelivery['type']): string => `${requestId}:${type}`;
