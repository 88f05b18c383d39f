import { sm3Hex } from '../../shared/crypto/sm3';
import {
  canonicalJson,
  CERTIFICATE_KIND_NAMES,
  CERTIFICATE_KIND_OF,
  certificateNumber,
  REGISTRATION_NAMES,
  yearInChina,
  type Certificate,
  type CertificateDocument,
  type CertificateParty,
  type CertificatePerson,
  type JsonValue,
} from '../domain/certificate';
import { conflict, notFound } from '../domain/errors';
import { peopleOf, type FilingRecord, type FilingStatus, type HistoryEntry, type SealedPerson } from '../domain/filing';
import { maskIdNumber, maskName } from '../domain/masking';
import type { OrganisationOwner, PersonOwner, UnitView } from '../domain/register';
import { mortgageIdFor, noticeIdFor, planRegistration, type RecordedMortgage, type RegistrationContext, type RegistrationPlan } from '../domain/registration';
import type { StaffAccount } from '../domain/staff';
import type {
  AuditLog,
  CertificateAllocation,
  CertificateStore,
  Clock,
  FilingRepository,
  NotificationQueue,
  PersonalDataVault,
  PlatformSigner,
  RegisterReader,
  RegisterWriter,
} from '../ports';
import { progressEventOf } from './process-intake';

/** Reasons a reviewer refuses a filing (shown to the institution; FALSE_MATERIALS also counts against its credit, DESIGN.md §4). */
export const REVIEW_REFUSAL_CODES = {
  FALSE_MATERIALS: 'Materials were found to be false or forged.',
  DATA_MISMATCH: 'The filing does not match its materials or the register.',
  OTHER: 'Refused for the reason given in the note.',
} as const;
export type ReviewRefusalCode = keyof typeof REVIEW_REFUSAL_CODES;

export type ReviewRequest =
  | { readonly decision: 'APPROVE'; readonly note?: string }
  | { readonly decision: 'REFUSE'; readonly reasonCode: ReviewRefusalCode; readonly note?: string };

export interface ReviewResult {
  readonly filingId: string;
  readonly decision: 'APPROVE' | 'REFUSE';
  readonly status: FilingStatus;
  readonly reasonCode?: string;
  readonly certificateNo?: string;
}

export interface ReviewPorts {
  readonly filings: FilingRepository;
  readonly register: RegisterReader & RegisterWriter;
  readonly certificates: CertificateStore;
  readonly vault: PersonalDataVault;
  readonly signer: PlatformSigner;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly notifications: NotificationQueue;
}

/**
 * Review is allowed once intake accepted the filing. Tax and trading coordination (roadmap step 3) will
 * move filings ACCEPTED → READY_FOR_REVIEW; until it exists, staff review ACCEPTED filings directly.
 */
const REVIEWABLE: readonly FilingStatus[] = ['ACCEPTED', 'READY_FOR_REVIEW'];

const notReviewable = (status: FilingStatus) =>
  conflict('FILING_NOT_REVIEWABLE', `A filing in ${status} cannot take this decision; review applies to ACCEPTED or READY_FOR_REVIEW filings.`, { filingStatus: status });

/**
 * A reviewer's decision on a filing of their own district (002 五(二)1,3).
 *
 * REFUSE: REVIEWABLE → REVIEW_REFUSED with the reason, the unit's active lock released, audited, progress
 * event published. Refusing a filing already refused answers the refusal again.
 *
 * APPROVE, a saga of single-item conditional writes, each safe to repeat, so a retry after a crash
 * anywhere resumes and ends in exactly one result:
 * 0. claim the filing (`approvalStartedAt`), which a withdrawal can no longer pass;
 * 1. allocate the certificate number (one per filing; a retry reuses it);
 * 2. record the filing in the register (each write guarded by the filing id);
 * 3. transition to REGISTERED;
 * 4. issue the signed certificate (stored once per number), mark the certificates it supersedes, and
 *    transition to CERTIFIED;
 * 5. release the unit's active lock, audit, publish the progress events (stable ids: re-publishing is harmless).
 * Approving a CERTIFIED filing answers its result again.
 */
export async function reviewFiling(ports: ReviewPorts, staff: StaffAccount, filingId: string, request: ReviewRequest): Promise<ReviewResult> {
  const filing = await ports.filings.get(filingId);
  if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
  return request.decision === 'REFUSE' ? refuse(ports, staff, filing, request) : approve(ports, staff, filing, request);
}

async function refuse(ports: ReviewPorts, staff: StaffAccount, filing: FilingRecord, request: Extract<ReviewRequest, { decision: 'REFUSE' }>): Promise<ReviewResult> {
  const answer = (f: FilingRecord): ReviewResult => ({ filingId: f.filingId, decision: 'REFUSE', status: f.status, reasonCode: f.reasonCode });
  if (filing.status === 'REVIEW_REFUSED') return answer(filing);
  if (!REVIEWABLE.includes(filing.status)) throw notReviewable(filing.status);
  // An approval that has begun (its number is allocated) may already have written the register: it must finish.
  if (await ports.certificates.allocationOf(filing.filingId)) throw conflict('REVIEW_IN_PROGRESS', 'An approval of this filing is under way; it cannot be refused now.');
  const entry: HistoryEntry = {
    at: ports.clock.now().toISOString(),
    status: 'REVIEW_REFUSED',
    by: `staff:${staff.staffId}`,
    reasonCode: request.reasonCode,
    note: request.note ?? REVIEW_REFUSAL_CODES[request.reasonCode],
  };
  const moved = await ports.filings.transition({ filingId: filing.filingId, district: filing.district, from: filing.status, to: 'REVIEW_REFUSED', entry, set: { reasonCode: request.reasonCode } });
  if (!moved) {
    const current = await ports.filings.get(filing.filingId);
    if (current?.status === 'REVIEW_REFUSED') return answer(current);
    throw notReviewable(current?.status ?? filing.status);
  }
  await ports.filings.releaseActive(filing.unitCode, filing.businessType, filing.filingId);
  await ports.audit.record({ tenant: filing.district, actor: entry.by, action: 'REVIEW_REFUSED', outcome: 'SUCCESS', target: filing.filingId, detail: { reasonCode: request.reasonCode } });
  if (request.reasonCode === 'FALSE_MATERIALS') {
    // DESIGN.md §4: false materials found at review are a violation of the filing institution.
    await ports.audit.record({ tenant: filing.institutionId, actor: `channel:${filing.channelId}`, action: 'FALSE_MATERIALS_FOUND', outcome: 'DENIED', target: filing.filingId });
  }
  const refused: FilingRecord = { ...filing, status: 'REVIEW_REFUSED', reasonCode: request.reasonCode, history: [...filing.history, entry] };
  await ports.notifications.publish([progressEventOf(refused)]);
  return answer(refused);
}

async function approve(ports: ReviewPorts, staff: StaffAccount, filing: FilingRecord, request: Extract<ReviewRequest, { decision: 'APPROVE' }>): Promise<ReviewResult> {
  const actor = `staff:${staff.staffId}`;
  if (filing.status === 'CERTIFIED') {
    const allocation = await ports.certificates.allocationOf(filing.filingId);
    return { filingId: filing.filingId, decision: 'APPROVE', status: 'CERTIFIED', certificateNo: allocation?.certificateNo };
  }
  if (!REVIEWABLE.includes(filing.status) && filing.status !== 'REGISTERED') throw notReviewable(filing.status);

  // 0. Claim the filing, so that a withdrawal racing this approval either wins before it or is refused
  //    after it: one conditional write on the filing item decides (see FilingRepository.startApproval).
  if (filing.status !== 'REGISTERED' && !(await ports.filings.startApproval(filing.filingId, filing.status, ports.clock.now().toISOString()))) {
    throw notReviewable((await reload(ports, filing.filingId)).status);
  }

  // 1. The certificate number.
  const allocation = await allocate(ports, filing);

  // 2–3. The register, then REGISTERED (skipped when a previous attempt got that far).
  let current = filing;
  const unitBefore = await ports.register.getUnit(filing.unitCode);
  if (!unitBefore) throw conflict('REGISTER_CONFLICT', 'The unit is no longer in the register.');
  const plan = planRegistration(filing, await registrationContext(ports, filing, unitBefore));
  if (current.status !== 'REGISTERED') {
    for (const write of plan.writes) await ports.register.apply(write);
    const entry: HistoryEntry = { at: ports.clock.now().toISOString(), status: 'REGISTERED', by: actor, ...(request.note ? { note: request.note } : {}) };
    await ports.filings.transition({ filingId: filing.filingId, district: filing.district, from: current.status, to: 'REGISTERED', entry });
    current = await reload(ports, filing.filingId);
    if (current.status !== 'REGISTERED' && current.status !== 'CERTIFIED') throw notReviewable(current.status);
  }

  // 4. The certificate, what it supersedes, then CERTIFIED.
  if (current.status === 'REGISTERED') {
    const certificate = await issueCertificate(ports, current, allocation);
    await supersede(ports, certificate, plan);
    const entry: HistoryEntry = { at: ports.clock.now().toISOString(), status: 'CERTIFIED', by: actor, note: `Certificate ${certificate.certificateNo}` };
    await ports.filings.transition({ filingId: filing.filingId, district: filing.district, from: 'REGISTERED', to: 'CERTIFIED', entry });
    current = await reload(ports, filing.filingId);
    if (current.status !== 'CERTIFIED') throw notReviewable(current.status);
  }

  // 5. The lock, the audit, the progress events of both transitions.
  await ports.filings.releaseActive(filing.unitCode, filing.businessType, filing.filingId);
  await ports.audit.record({ tenant: filing.district, actor, action: 'REVIEW_APPROVED', outcome: 'SUCCESS', target: filing.filingId, detail: { certificateNo: allocation.certificateNo } });
  const events = current.history.flatMap((entry, i) =>
    entry.status === 'REGISTERED' || entry.status === 'CERTIFIED' ? [progressEventOf({ ...current, status: entry.status, history: current.history.slice(0, i + 1) })] : [],
  );
  await ports.notifications.publish(events);
  return { filingId: filing.filingId, decision: 'APPROVE', status: current.status, certificateNo: allocation.certificateNo };
}

async function reload(ports: ReviewPorts, filingId: string): Promise<FilingRecord> {
  const filing = await ports.filings.get(filingId);
  if (!filing) throw new Error(`Filing ${filingId} vanished during review`);
  return filing;
}

async function allocate(ports: ReviewPorts, filing: FilingRecord): Promise<CertificateAllocation> {
  const existing = await ports.certificates.allocationOf(filing.filingId);
  if (existing) return existing;
  const series = { district: filing.district, year: yearInChina(ports.clock.now()), kind: CERTIFICATE_KIND_OF[filing.businessType] };
  const sequence = await ports.certificates.nextSequence(series);
  return ports.certificates.claimAllocation({ filingId: filing.filingId, certificateNo: certificateNumber(series, sequence), series });
}

/** The developer (first registration) or the buyers re-sealed for the register record (transfers). */
async function registrationContext(ports: ReviewPorts, filing: FilingRecord, unit: UnitView): Promise<RegistrationContext> {
  const { content } = filing;
  if (content.businessType === 'FIRST_REGISTRATION') {
    const project = unit.project;
    if (!project) throw conflict('REGISTER_CONFLICT', 'The unit belongs to no development project.');
    const developer: OrganisationOwner = { kind: 'ORGANISATION', name: project.developerName ?? project.developerUscc, uscc: project.developerUscc, institutionId: project.developerInstitutionId };
    return { unit, developer };
  }
  if (content.businessType === 'TRANSFER_NEW' || content.businessType === 'TRANSFER_RESALE') {
    return { unit, newOwners: await Promise.all(content.buyers.map((buyer) => resealForRegister(ports.vault, filing, buyer))) };
  }
  return { unit };
}

/**
 * A buyer becomes an owner on the register: their sealed name and ID number are opened with the filing's
 * binding and sealed again bound to the unit (the tenant, the unit's district, is the same). The
 * plaintext lives only between the two calls.
 */
async function resealForRegister(vault: PersonalDataVault, filing: FilingRecord, person: SealedPerson): Promise<PersonOwner> {
  const { district, filingId, unitCode } = filing;
  return {
    name: await vault.seal(district, 'name', await vault.open(district, 'name', person.name, filingId), unitCode),
    idNumber: await vault.seal(district, 'idNumber', await vault.open(district, 'idNumber', person.idNumber, filingId), unitCode),
    idIndex: person.idIndex,
  };
}

/** A person on a certificate: masked name and ID number plus the blind index (see CertificatePerson). */
async function certificatePeople(vault: PersonalDataVault, filing: FilingRecord, people: readonly SealedPerson[]): Promise<CertificatePerson[]> {
  const { district, filingId } = filing;
  return Promise.all(
    people.map(async (p) => ({
      name: maskName(await vault.open(district, 'name', p.name, filingId)),
      idType: p.idType,
      idNumber: maskIdNumber(await vault.open(district, 'idNumber', p.idNumber, filingId)),
      idIndex: p.idIndex,
    })),
  );
}

const mortgageOn = (unit: UnitView, mortgageId: string): Partial<RecordedMortgage> | undefined => unit.mortgages.find((m) => m.mortgageId === mortgageId);

/** Who holds and who bears the certified right, and its terms, by business type. */
async function partiesAndRight(
  ports: ReviewPorts,
  filing: FilingRecord,
  unit: UnitView,
): Promise<{ rightHolders: CertificateParty[]; obligors: CertificateParty[]; right: Record<string, string> }> {
  const { content } = filing;
  const people = peopleOf(content);
  const bank = (name: string | undefined): CertificateParty => ({ name: name ?? filing.institutionId, institutionId: filing.institutionId });
  switch (content.businessType) {
    case 'MORTGAGE_CREATE': {
      const mortgageId = mortgageIdFor(filing.filingId);
      return {
        rightHolders: [content.mortgagee],
        obligors: await certificatePeople(ports.vault, filing, people.mortgagors),
        right: { mortgageId, mortgageType: content.mortgageType, amountFen: content.amountFen, termStart: content.termStart, termEnd: content.termEnd },
      };
    }
    case 'MORTGAGE_CHANGE': {
      const mortgage = mortgageOn(unit, content.mortgageId);
      return {
        rightHolders: [bank(mortgage?.mortgageeName)],
        obligors: await certificatePeople(ports.vault, filing, people.mortgagors),
        right: { mortgageId: content.mortgageId, amountFen: mortgage?.amountFen ?? content.change.amountFen ?? '', termEnd: mortgage?.termEnd ?? content.change.termEnd ?? '' },
      };
    }
    case 'MORTGAGE_DISCHARGE':
      return { rightHolders: [bank(mortgageOn(unit, content.mortgageId)?.mortgageeName)], obligors: [], right: { mortgageId: content.mortgageId, status: 'DISCHARGED', reason: content.reason } };
    case 'PRESALE_MORTGAGE_NOTICE':
      return {
        rightHolders: [content.mortgagee],
        obligors: await certificatePeople(ports.vault, filing, people.buyers),
        right: { noticeId: noticeIdFor(filing.filingId), mortgageType: content.mortgageType, amountFen: content.amountFen, termStart: content.termStart, termEnd: content.termEnd },
      };
    case 'PRESALE_NOTICE':
      return {
        rightHolders: await certificatePeople(ports.vault, filing, people.buyers),
        obligors: [content.seller],
        right: { noticeId: noticeIdFor(filing.filingId), contractNo: content.contractNo, priceFen: content.priceFen },
      };
    case 'FIRST_REGISTRATION': {
      const developer = unit.owners.find((o): o is OrganisationOwner => o.kind === 'ORGANISATION');
      return {
        rightHolders: developer ? [{ name: developer.name, uscc: developer.uscc }] : [],
        obligors: [],
        right: { projectId: content.projectId, completionRecordNo: content.completionRecordNo },
      };
    }
    case 'TRANSFER_NEW':
    case 'TRANSFER_RESALE':
      return {
        rightHolders: await certificatePeople(ports.vault, filing, people.buyers),
        obligors: await certificatePeople(ports.vault, filing, people.sellers),
        right: { contractNo: content.contractNo, priceFen: content.priceFen },
      };
  }
}

/** Builds, signs and stores the certificate, unless an earlier attempt stored it (then that one stands). */
async function issueCertificate(ports: ReviewPorts, filing: FilingRecord, allocation: CertificateAllocation): Promise<Certificate> {
  const existing = await ports.certificates.get(allocation.certificateNo);
  if (existing) return existing;
  const unit = await ports.register.getUnit(filing.unitCode);
  if (!unit) throw conflict('REGISTER_CONFLICT', 'The unit is no longer in the register.');
  const registered = [...filing.history].reverse().find((e) => e.status === 'REGISTERED');
  const { rightHolders, obligors, right } = await partiesAndRight(ports, filing, unit);
  const kind = CERTIFICATE_KIND_OF[filing.businessType];
  const document: CertificateDocument = {
    certificateNo: allocation.certificateNo,
    kind,
    kindName: CERTIFICATE_KIND_NAMES[kind],
    businessType: filing.businessType,
    registrationName: REGISTRATION_NAMES[filing.businessType],
    district: filing.district,
    unitCode: filing.unitCode,
    address: unit.address,
    areaM2: unit.areaM2,
    rightHolders,
    obligors,
    right,
    filingId: filing.filingId,
    registeredAt: registered?.at ?? filing.updatedAt,
  };
  const bytes = Buffer.from(canonicalJson(document as unknown as JsonValue), 'utf8');
  const signature = await ports.signer.sign(bytes);
  return ports.certificates.putIfAbsent({
    certificateNo: allocation.certificateNo,
    filingId: filing.filingId,
    channelId: filing.channelId,
    district: filing.district,
    unitCode: filing.unitCode,
    document,
    digest: sm3Hex(bytes),
    signature: signature.toString('base64'),
    keyId: ports.signer.keyId,
    issuedAt: ports.clock.now().toISOString(),
    current: true,
  });
}

/**
 * Earlier certificates of the rights this registration holds or ends stop being current. The old one is
 * marked before the pointer moves, so a crash in between is healed by the retry.
 */
async function supersede(ports: ReviewPorts, certificate: Certificate, plan: RegistrationPlan): Promise<void> {
  const { unitCode, certificateNo } = certificate;
  for (const right of [...plan.holds, ...plan.ends]) {
    const previous = await ports.certificates.currentOf(unitCode, right);
    if (previous !== undefined && previous !== certificateNo) await ports.certificates.markSuperseded(previous, certificateNo);
  }
  for (const right of plan.holds) await ports.certificates.setCurrent(unitCode, right, certificateNo);
}
