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
import { refuseNamesIn } from '../domain/free-text';
import { peopleOf, type FilingRecord, type FilingStatus, type SealedPerson } from '../domain/filing';
import { ruleRefusal, REFUSAL_CODES, type RefusalCode } from '../domain/intake-rules';
import { REVIEW_REFUSAL_CODES, REVIEWABLE_STATUSES, type ReviewRefusalCode } from '../domain/lifecycle';
import { maskIdNumber, maskName } from '../domain/masking';
import type { OrganisationOwner, PersonOwner, UnitView } from '../domain/register';
import { mortgageIdFor, noticeIdFor, planRegistration, registeredRights, type RecordedMortgage, type RegisteredRights, type RegistrationContext } from '../domain/registration';
import type { StaffAccount } from '../domain/staff';
import type { CertificateAllocation, CertificateStore, PersonalDataVault, PlatformSigner, RegisterReader, RegisterWriter } from '../ports';
import { partyNamesOf } from './party-names';
import { pendingPresaleNoticeHolders } from './process-intake';
import { healEffects, performTransition, type LifecyclePorts } from './transition';

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

export interface ReviewPorts extends LifecyclePorts {
  readonly register: RegisterReader & RegisterWriter;
  readonly certificates: CertificateStore;
  readonly vault: PersonalDataVault;
  readonly signer: PlatformSigner;
}

/** Races on one filing or one unit settle in a few rounds; more means something is wrong. */
const ATTEMPTS = 8;

const notReviewable = (status: FilingStatus) =>
  conflict(
    'FILING_NOT_REVIEWABLE',
    status === 'AWAITING_COORDINATION' || status === 'ACCEPTED'
      ? `A filing in ${status} is waiting on department results (tax, contract filing, completion record); review applies once it is READY_FOR_REVIEW.`
      : `A filing in ${status} cannot take this decision; review applies to READY_FOR_REVIEW filings (and ACCEPTED ones needing no department result).`,
    { filingStatus: status },
  );
const inProgress = () => conflict('REVIEW_IN_PROGRESS', 'An approval of this filing is under way; it cannot be refused now (approve again to complete it).');
const refusedAtCommit = (filing: FilingRecord) =>
  conflict('APPROVAL_REFUSED', `The filing no longer meets the intake rules against the register as it is now (${filing.reasonCode ?? 'refused'}); it is refused.`, {
    filingStatus: filing.status,
    reasonCode: filing.reasonCode,
  });

/**
 * A reviewer's decision on a filing of their own district (002 五(二)1,3), through the declared lifecycle
 * (functions/core/domain/lifecycle.ts).
 *
 * REFUSE: REVIEW_REFUSE, guarded by "no approval has claimed the filing". The claim and the refusal are
 * both conditional writes on the filing's revision, so of an approval and a refusal racing, exactly one
 * wins, and the register is touched only by an approval that won. Refusing a refused filing answers the
 * refusal again.
 *
 * APPROVE, a saga whose every step is one conditional write, safe to repeat, so a retry after a crash
 * anywhere resumes and ends in exactly one result:
 * 0. claim the filing (CLAIM_APPROVAL): from then on neither withdrawal nor refusal can pass;
 * 1. read the unit; unless this filing is already recorded on it, re-check the intake rules against the
 *    unit as it is now (an owner who sold since intake cannot mortgage): a rule that no longer holds
 *    refuses the filing with its reason (REFUSE_AT_COMMIT; 409 APPROVAL_REFUSED), nothing registered;
 * 2. write the unit as the filing leaves it, conditional on the version just read; if the unit changed
 *    meanwhile, start over from 1 on the unit as it now is;
 * 3. REGISTER (its effects: audit, progress event);
 * 4. allocate the certificate number (one per filing; a retry reuses it), sign and store the certificate,
 *    mark the certificates it supersedes, CERTIFY (its effects free the unit's lock, audit, publish).
 * Approving a CERTIFIED filing answers its result again.
 *
 * Before either, a note naming a party of the filing is refused (422, the note's `PERSONAL_DATA_IN_TEXT`):
 * notes are kept in the history the filing institution reads.
 */
export async function reviewFiling(ports: ReviewPorts, staff: StaffAccount, filingId: string, request: ReviewRequest): Promise<ReviewResult> {
  const filing = await ports.filings.get(filingId);
  if (!filing || filing.district !== staff.district) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists in your district.');
  if (request.note !== undefined) refuseNamesIn({ note: request.note }, await partyNamesOf(ports.vault, filing));
  return request.decision === 'REFUSE' ? refuse(ports, staff, filing, request) : approve(ports, staff, filing, request);
}

async function refuse(ports: ReviewPorts, staff: StaffAccount, first: FilingRecord, request: Extract<ReviewRequest, { decision: 'REFUSE' }>): Promise<ReviewResult> {
  let filing = first;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    if (filing.status === 'REVIEW_REFUSED' && filing.approvalStartedAt === undefined) {
      const healed = await healEffects(ports, filing);
      return { filingId: healed.filingId, decision: 'REFUSE', status: healed.status, reasonCode: healed.reasonCode };
    }
    const outcome = await performTransition(ports, filing, 'REVIEW_REFUSE', {
      actor: `staff:${staff.staffId}`,
      reasonCode: request.reasonCode,
      note: request.note ?? REVIEW_REFUSAL_CODES[request.reasonCode],
    });
    if (outcome.kind === 'moved') return { filingId: filing.filingId, decision: 'REFUSE', status: outcome.filing.status, reasonCode: outcome.filing.reasonCode };
    if (outcome.kind === 'notAllowed') throw outcome.reason === 'APPROVAL_STARTED' ? inProgress() : notReviewable(filing.status);
    filing = await reload(ports, filing.filingId);
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being refused; read it and retry.');
}

async function approve(ports: ReviewPorts, staff: StaffAccount, first: FilingRecord, request: Extract<ReviewRequest, { decision: 'APPROVE' }>): Promise<ReviewResult> {
  const actor = `staff:${staff.staffId}`;
  let filing = first;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    switch (filing.status) {
      case 'CERTIFIED': {
        const healed = await healEffects(ports, filing);
        const allocation = await ports.certificates.allocationOf(healed.filingId);
        return { filingId: healed.filingId, decision: 'APPROVE', status: 'CERTIFIED', certificateNo: allocation?.certificateNo };
      }
      case 'REGISTERED':
        filing = await certify(ports, actor, filing);
        continue;
      case 'REVIEW_REFUSED':
        // An approval that found, at commit time, that a rule no longer holds answers that refusal again.
        if (filing.approvalStartedAt !== undefined) throw refusedAtCommit(await healEffects(ports, filing));
        throw notReviewable(filing.status);
      default:
        if (!REVIEWABLE_STATUSES.includes(filing.status)) throw notReviewable(filing.status);
    }
    if (filing.approvalStartedAt === undefined) {
      // 0. The claim, decided by one conditional write against a refusal or a withdrawal racing it.
      const claimed = await performTransition(ports, filing, 'CLAIM_APPROVAL', { actor, set: { approvalStartedAt: ports.clock.now().toISOString() } });
      if (claimed.kind === 'notAllowed' && claimed.reason === 'COORDINATION_PENDING') throw notReviewable(filing.status);
      filing = claimed.kind === 'moved' ? claimed.filing : await reload(ports, filing.filingId);
      continue;
    }
    filing = await register(ports, actor, filing, request.note);
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being approved; approve again to resume.');
}

/** Steps 1–3: re-check against the unit as it is, write it conditionally on its version, REGISTER. Answers the filing as it then is. */
async function register(ports: ReviewPorts, actor: string, filing: FilingRecord, note: string | undefined): Promise<FilingRecord> {
  const refuseAtCommit = async (reasonCode: RefusalCode): Promise<FilingRecord> => {
    const outcome = await performTransition(ports, filing, 'REFUSE_AT_COMMIT', { actor, reasonCode, note: REFUSAL_CODES[reasonCode].message });
    return outcome.kind === 'moved' ? outcome.filing : reload(ports, filing.filingId);
  };
  for (let attempt = 1; ; attempt++) {
    if (attempt > ATTEMPTS) throw conflict('REGISTER_CONFLICT', 'The unit kept changing while this filing was being registered; approve again to resume.');
    // A pending presale notice only ever moves into the register, so reading it before the unit, one of the
    // two reads sees it.
    const pending = await pendingPresaleNoticeHolders(ports.filings, filing);
    const unit = await ports.register.getUnit(filing.unitCode);
    if (!unit) return refuseAtCommit('UNIT_NOT_FOUND');
    // A previous attempt (or a concurrent approval) recorded it and stopped before REGISTERED: only the transition is left.
    if (unit.appliedFilings.includes(filing.filingId)) break;
    // Or it recorded on the unit that the filing is refused: the same answer, never a register change.
    const recorded = unit.refusals?.[filing.filingId];
    if (recorded !== undefined) return refuseAtCommit(recorded as RefusalCode);
    const refusal = ruleRefusal(filing, { unit });
    if (refusal?.reasonCode === 'NO_PRESALE_NOTICE' && pending !== undefined && ruleRefusal(filing, { unit, pendingPresaleNoticeHolders: pending }) === undefined) {
      // The notice this one relies on is accepted but not yet registered: registering this first could leave
      // it standing on a notice that is then refused. Not a refusal: approve the presale notice first.
      throw conflict('PRESALE_NOTICE_NOT_REGISTERED', 'The presale notice this filing relies on is accepted but not registered yet; approve it first, then this one.');
    }
    if (refusal) {
      // The refusal is recorded on the unit at the version the rules were checked against, so it and a
      // concurrent approval's register write cannot both succeed: exactly one of them changes the unit.
      const fenced = await ports.register.refuse({ unitCode: unit.unitCode, filingId: filing.filingId, expectedVersion: unit.version, reasonCode: refusal.reasonCode, unit });
      if (fenced === 'stale') continue;
      if (fenced === 'alreadyApplied') break;
      return refuseAtCommit(refusal.reasonCode);
    }
    const plan = planRegistration(filing, await registrationContext(ports, filing, unit));
    if ((await ports.register.commit(plan.commit)) !== 'stale') break;
  }
  const outcome = await performTransition(ports, filing, 'REGISTER', { actor, ...(note ? { note } : {}) });
  return outcome.kind === 'moved' ? outcome.filing : reload(ports, filing.filingId);
}

/** Step 4: the certificate, what it supersedes, then CERTIFY. */
async function certify(ports: ReviewPorts, actor: string, filing: FilingRecord): Promise<FilingRecord> {
  const allocation = await allocate(ports, filing);
  const unit = await ports.register.getUnit(filing.unitCode);
  if (!unit) throw conflict('REGISTER_CONFLICT', 'The unit is no longer in the register.');
  const certificate = await issueCertificate(ports, filing, allocation, unit);
  await supersede(ports, certificate, registeredRights(filing, unit));
  const outcome = await performTransition(ports, filing, 'CERTIFY', { actor, note: `Certificate ${certificate.certificateNo}`, detail: { certificateNo: certificate.certificateNo } });
  return outcome.kind === 'moved' ? outcome.filing : reload(ports, filing.filingId);
}

async function reload(ports: LifecyclePorts, filingId: string): Promise<FilingRecord> {
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
async function issueCertificate(ports: ReviewPorts, filing: FilingRecord, allocation: CertificateAllocation, unit: UnitView): Promise<Certificate> {
  const existing = await ports.certificates.get(allocation.certificateNo);
  if (existing) return existing;
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
async function supersede(ports: ReviewPorts, certificate: Certificate, plan: RegisteredRights): Promise<void> {
  const { unitCode, certificateNo } = certificate;
  for (const right of [...plan.holds, ...plan.ends]) {
    const previous = await ports.certificates.currentOf(unitCode, right);
    if (previous !== undefined && previous !== certificateNo) await ports.certificates.markSuperseded(previous, certificateNo);
  }
  for (const right of plan.holds) await ports.certificates.setCurrent(unitCode, right, certificateNo);
}
