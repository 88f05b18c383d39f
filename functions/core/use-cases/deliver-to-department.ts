/**
 * Delivering one department message (DESIGN.md §3 "Coordination", §7b; 002 三(一)3: push filing data to the
 * trading and tax departments, push the registration result back): the connector reads the filing, builds
 * what the department receives — a REQUEST for a result, its CANCEL, or the REGISTRATION_RESULT — signs it
 * with the platform's SM2 key and POSTs it to the department's endpoint.
 *
 * ```
 * POST <department endpoint>
 * Content-Type: application/json; charset=utf-8
 * ZT-Delivery-Id: <requestId>:<type>
 * ZT-Timestamp: <unix seconds of this attempt>
 * ZT-Signature: ZT-SM2 keyId="<platform key id>",signature="<base64 of DER SM2 signature>"
 * signed string = timestamp "\n" deliveryId "\n" lowercase-hex(SM3(body bytes)) "\n"
 * ```
 *
 * Personal data travels only inside `parties`, opened from the vault and sealed again for that department
 * alone (SM4 under a data key SM2-encrypted to its public key, functions/shared/crypto/department-seal.ts).
 * Every delivery is recorded on the filing through the lifecycle (RECORD_DELIVERY), whose audit record is of
 * class "data provided to others", kept ≥ 3 years (DESIGN.md §5; 004 第二十三条). A failed attempt is
 * recorded too (RECORD_DELIVERY_FAILURE), so staff see the filing waiting and why; the worker retries it
 * through the queue with backoff and the queue dead-letters it after its maxReceiveCount.
 *
 * Delivery is at least once: a delivery already recorded on the filing is never posted again, and a
 * department drops a `ZT-Delivery-Id` it has seen (a crash between the POST and the record).
 */
import { findRequest, withRequest, type CoordinationRequest } from '../domain/coordination';
import { peopleOf, type FilingContent, type FilingRecord, type SealedPerson } from '../domain/filing';
import type { DepartmentMessage } from '../domain/lifecycle';
import type { CertificateStore, Clock, Department, DepartmentDirectory, PersonalDataVault, PlatformSigner, WebhookOutcome, WebhookSender } from '../ports';
import { performTransition, type LifecyclePorts } from './transition';
import { webhookSignedString, WEBHOOK_SIGNATURE_SCHEME } from './deliver-progress';
import { sealForDepartment, type SealedEnvelope } from '../../shared/crypto/department-seal';
import {
  DELIVERY_HEADERS,
  deliveryIdOf,
  departmentCancellationSchema,
  departmentRequestSchema,
  registrationResultSchema,
  type DepartmentDelivery,
  type SealedParties,
} from '../../../schemas/departments/v1';

export interface DeliverToDepartmentPorts extends LifecyclePorts {
  readonly directory: DepartmentDirectory;
  readonly vault: PersonalDataVault;
  readonly certificates: Pick<CertificateStore, 'allocationOf'>;
  readonly signer: PlatformSigner;
  /** The same HTTP port as webhooks: bounded time, no redirects, SSRF-checked, response bodies never kept. */
  readonly sender: WebhookSender;
  readonly clock: Clock;
  /** The registry's results URL, named as `replyTo` in requests (absent: the department has it configured). */
  readonly resultsUrl?: string;
}

export type DepartmentDeliveryResult =
  | { readonly kind: 'delivered'; readonly departmentId: string; readonly httpStatus: number }
  /** Nothing to deliver: already delivered, no longer wanted, or the filing is gone (acknowledged, logged). */
  | { readonly kind: 'skipped'; readonly reason: SkipReason }
  /** To be retried: no department serves the filing, a non-2xx answer, or no answer at all. */
  | { readonly kind: 'failed'; readonly reason: string; readonly departmentId?: string; readonly httpStatus?: number };

export type SkipReason = 'FILING_NOT_FOUND' | 'REQUEST_NOT_FOUND' | 'ALREADY_DELIVERED' | 'REQUEST_NOT_OPEN' | 'NOT_AWAITING_COORDINATION' | 'NEVER_DELIVERED';

const ACTOR = 'worker:department-connector';
/** A record that loses its conditional write to another decision (a department's answer, say) is re-read and written again. */
const RECORD_ATTEMPTS = 5;

/** Which attribute of the request records each kind of delivery: set means delivered, never post again. */
const DELIVERED_AT = { REQUEST: 'deliveredAt', CANCEL: 'cancellationDeliveredAt', REGISTRATION_RESULT: 'registrationDeliveredAt' } as const;

/**
 * Delivers one message, once; the caller (the connector worker) owns retries.
 *
 * 1. Read the filing and find the request; a delivery already recorded ends here (idempotent redelivery).
 * 2. Decide whether it is still wanted: a REQUEST only while the filing awaits coordination and the request
 *    is open; a CANCEL only for a cancelled request; a REGISTRATION_RESULT once a certificate exists.
 * 3. Find the department: the one the request was delivered to, else the one of its kind serving the
 *    filing's district; none is a failure (`NO_DEPARTMENT`), recorded and retried.
 * 4. Build the body (schemas/departments/v1.ts; parties opened and sealed for the department), sign it, POST it.
 * 5. Record the outcome on the filing: RECORD_DELIVERY (audited as data provided) or RECORD_DELIVERY_FAILURE.
 */
export async function deliverToDepartment(ports: DeliverToDepartmentPorts, message: DepartmentMessage): Promise<DepartmentDeliveryResult> {
  const filing = await ports.filings.get(message.filingId);
  if (!filing) return { kind: 'skipped', reason: 'FILING_NOT_FOUND' };
  const request = findRequest(filing.coordination, message.requestId);
  if (!request) return { kind: 'skipped', reason: 'REQUEST_NOT_FOUND' };
  if (request[DELIVERED_AT[message.type]] !== undefined) return { kind: 'skipped', reason: 'ALREADY_DELIVERED' };

  if (message.type === 'REQUEST') {
    const notWanted: SkipReason | undefined =
      filing.status !== 'AWAITING_COORDINATION' ? 'NOT_AWAITING_COORDINATION' : request.state !== 'REQUESTED' && request.state !== 'PENDING' ? 'REQUEST_NOT_OPEN' : undefined;
    if (notWanted) {
      // The department answered, so it has the data: the record of the delivery (and its audit, data provided)
      // was lost to a failure after the POST. Record it now, without posting again.
      const answeredBy = request.answers.length > 0 ? departmentFor(ports.directory, filing, request) : undefined;
      if (answeredBy) await recordDelivery(ports, filing, request, answeredBy, 'REQUEST', undefined);
      return { kind: 'skipped', reason: notWanted };
    }
  }
  if (message.type === 'CANCEL' && request.cancelledAt === undefined) return { kind: 'skipped', reason: 'REQUEST_NOT_OPEN' };

  const department = departmentFor(ports.directory, filing, request);
  if (!department) {
    // A cancellation of a request no department ever received has nobody to tell.
    if (message.type !== 'REQUEST' && request.deliveredAt === undefined) return { kind: 'skipped', reason: 'NEVER_DELIVERED' };
    await recordFailure(ports, filing, request, 'NO_DEPARTMENT');
    return { kind: 'failed', reason: 'NO_DEPARTMENT' };
  }

  const delivery = await deliveryOf(ports, message.type, filing, request, department);
  const outcome = await post(ports, department, message.requestId, delivery);
  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
    await recordDelivery(ports, filing, request, department, message.type, outcome.status);
    if (message.type === 'REQUEST') {
      // A withdrawal or refusal while the request was on its way: its cancellation may have reached the
      // department first and been dropped as unknown. Tell the department again, now that it has the request.
      const now = findRequest((await ports.filings.get(filing.filingId))?.coordination, request.requestId);
      if (now?.cancelledAt !== undefined && now.cancellationDeliveredAt === undefined) await deliverToDepartment(ports, { ...message, type: 'CANCEL' });
    }
    return { kind: 'delivered', departmentId: department.departmentId, httpStatus: outcome.status };
  }
  const reason = outcome.kind === 'answered' ? `HTTP_${outcome.status}` : outcome.reason;
  await recordFailure(ports, filing, request, reason);
  return { kind: 'failed', reason, departmentId: department.departmentId, ...(outcome.kind === 'answered' ? { httpStatus: outcome.status } : {}) };
}

/** The department the request went to (a cancellation or result goes where the request went), else the serving one. */
function departmentFor(directory: DepartmentDirectory, filing: FilingRecord, request: CoordinationRequest): Department | undefined {
  const delivered = request.departmentId === undefined ? undefined : directory.get(request.departmentId);
  return delivered ?? directory.serving(request.departmentKind, filing.district);
}

/** What the department receives, validated against its schema (strict: nothing more than declared travels). */
async function deliveryOf(
  ports: DeliverToDepartmentPorts,
  type: DepartmentMessage['type'],
  filing: FilingRecord,
  request: CoordinationRequest,
  department: Department,
): Promise<DepartmentDelivery> {
  const common = {
    v: 1 as const,
    requestId: request.requestId,
    filingId: filing.filingId,
    kind: request.kind,
    businessType: filing.businessType,
    unitCode: filing.unitCode,
    district: filing.district,
  };
  switch (type) {
    case 'REQUEST': {
      const parties = await sealedPartiesOf(ports, filing, department);
      return departmentRequestSchema.parse({
        ...common,
        type,
        requestedAt: request.requestedAt,
        ...termsOf(filing.content),
        ...(parties ? { parties } : {}),
        ...(ports.resultsUrl ? { replyTo: ports.resultsUrl } : {}),
      });
    }
    case 'CANCEL':
      return departmentCancellationSchema.parse({
        ...common,
        type,
        reason: filing.status === 'WITHDRAWN' ? 'WITHDRAWN' : 'REFUSED',
        cancelledAt: request.cancelledAt ?? ports.clock.now().toISOString(),
      });
    case 'REGISTRATION_RESULT': {
      const allocation = await ports.certificates.allocationOf(filing.filingId);
      // CERTIFY sends this message after the certificate is stored; without one it is an inconsistency to retry, not to drop.
      if (!allocation) throw new Error(`Filing ${filing.filingId} has no certificate to report`);
      const registered = [...filing.history].reverse().find((entry) => entry.status === 'REGISTERED');
      return registrationResultSchema.parse({ ...common, type, certificateNo: allocation.certificateNo, registeredAt: registered?.at ?? filing.updatedAt });
    }
  }
}

/** The business terms a department checks against its own records: contract, price, project; organisations only, never people. */
function termsOf(content: FilingContent): Record<string, unknown> {
  switch (content.businessType) {
    case 'TRANSFER_NEW':
    case 'TRANSFER_RESALE':
      return { contractNo: content.contractNo, priceFen: content.priceFen };
    case 'PRESALE_NOTICE':
      return { contractNo: content.contractNo, priceFen: content.priceFen, seller: { name: content.seller.name, uscc: content.seller.uscc } };
    case 'FIRST_REGISTRATION':
      return { projectId: content.projectId, completionRecordNo: content.completionRecordNo };
    default:
      return {};
  }
}

/**
 * The sellers and buyers, opened from the vault (tenant = the filing's district, bound to the filing, as
 * intake sealed them) and sealed for this department only: the plaintext exists only inside this call.
 */
async function sealedPartiesOf(ports: DeliverToDepartmentPorts, filing: FilingRecord, department: Department): Promise<SealedEnvelope | undefined> {
  const { sellers, buyers } = peopleOf(filing.content);
  if (sellers.length === 0 && buyers.length === 0) return undefined;
  const open = (people: readonly SealedPerson[]) =>
    Promise.all(
      people.map(async (person) => ({
        name: await ports.vault.open(filing.district, 'name', person.name, filing.filingId),
        idType: person.idType,
        idNumber: await ports.vault.open(filing.district, 'idNumber', person.idNumber, filing.filingId),
      })),
    );
  const parties: SealedParties = {
    ...(sellers.length > 0 ? { sellers: await open(sellers) } : {}),
    ...(buyers.length > 0 ? { buyers: await open(buyers) } : {}),
  };
  return sealForDepartment(JSON.stringify(parties), department.publicKey);
}

/** Signs and POSTs one delivery (the signed string is the webhooks', with the delivery id in place of the event id). */
async function post(ports: DeliverToDepartmentPorts, department: Department, requestId: string, delivery: DepartmentDelivery): Promise<WebhookOutcome> {
  const body = JSON.stringify(delivery);
  const deliveryId = deliveryIdOf(requestId, delivery.type);
  const timestamp = Math.floor(ports.clock.now().getTime() / 1000);
  const signature = await ports.signer.sign(Buffer.from(webhookSignedString(timestamp, deliveryId, body), 'utf8'));
  return ports.sender.post({
    url: department.endpoint,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [DELIVERY_HEADERS.deliveryId]: deliveryId,
      [DELIVERY_HEADERS.timestamp]: String(timestamp),
      [DELIVERY_HEADERS.signature]: `${WEBHOOK_SIGNATURE_SCHEME} keyId="${ports.signer.keyId}",signature="${signature.toString('base64')}"`,
    },
    body,
  });
}

/**
 * Performs a bookkeeping transition on the request, re-reading the filing when another decision was
 * recorded first (a department may answer before its delivery is recorded): the update is always applied
 * to the request as it now stands, so no answer is overwritten.
 */
async function recordOnRequest(
  ports: DeliverToDepartmentPorts,
  filing: FilingRecord,
  requestId: string,
  name: 'RECORD_DELIVERY' | 'RECORD_DELIVERY_FAILURE',
  update: (request: CoordinationRequest) => CoordinationRequest | undefined,
  detail?: Readonly<Record<string, string | number | boolean>>,
): Promise<void> {
  let current: FilingRecord | undefined = filing;
  for (let attempt = 1; attempt <= RECORD_ATTEMPTS && current; attempt++) {
    const request = findRequest(current.coordination, requestId);
    const updated = request && current.coordination ? update(request) : undefined;
    if (!updated || !current.coordination) return;
    const outcome = await performTransition(ports, current, name, {
      actor: ACTOR,
      set: { coordination: withRequest(current.coordination, updated) },
      ...(detail ? { detail } : {}),
    });
    if (outcome.kind !== 'stale') return;
    current = await ports.filings.get(filing.filingId);
  }
  if (current) throw new Error(`Filing ${filing.filingId} kept changing while ${name} was recorded`);
}

/** Records the delivery on the request; its audit record says what was provided to whom (ids and codes only). */
/** `httpStatus` undefined: the delivery is known from the department's answer, its own record was lost. */
function recordDelivery(ports: DeliverToDepartmentPorts, filing: FilingRecord, request: CoordinationRequest, department: Department, type: DepartmentMessage['type'], httpStatus: number | undefined) {
  const at = ports.clock.now().toISOString();
  const attribute = DELIVERED_AT[type];
  return recordOnRequest(
    ports,
    filing,
    request.requestId,
    'RECORD_DELIVERY',
    // Recorded once: a redelivery racing this one finds it recorded and writes nothing more. A request that
    // arrives after its cancellation needs the cancellation again: its earlier delivery no longer counts.
    (current) => {
      if (current[attribute] !== undefined) return undefined;
      const lateRequest = type === 'REQUEST' && current.cancelledAt !== undefined;
      return { ...current, [attribute]: at, ...(type === 'REQUEST' ? { departmentId: department.departmentId } : {}), ...(lateRequest ? { cancellationDeliveredAt: undefined } : {}) };
    },
    {
      requestId: request.requestId,
      departmentId: department.departmentId,
      departmentKind: department.kind,
      type,
      resultKind: request.kind,
      ...(httpStatus === undefined ? { knownFromAnswer: true } : { httpStatus }),
    },
  );
}

/** Records a failed attempt on the request, so staff see why the filing still waits. */
function recordFailure(ports: DeliverToDepartmentPorts, filing: FilingRecord, request: CoordinationRequest, reason: string) {
  const at = ports.clock.now().toISOString();
  return recordOnRequest(ports, filing, request.requestId, 'RECORD_DELIVERY_FAILURE', (current) => ({
    ...current,
    failedAttempts: (current.failedAttempts ?? 0) + 1,
    lastFailureAt: at,
    lastFailure: reason,
  }));
}
