import { isCoordinationOverdue, requestsOf, type Coordination, type CoordinationRequest } from '../domain/coordination';
import { notFound } from '../domain/errors';
import { PERSON_LIST_FIELDS, type FilingRecord, type HistoryEntry, type Material, type Organisation, type PersonListField, type SealedPerson } from '../domain/filing';
import { maskIdNumber, maskName, maskPhone } from '../domain/masking';
import type { AuditLog, Channel, FilingRepository, PersonalDataVault } from '../ports';

export interface MaskedPerson {
  readonly name: string;
  readonly idType: string;
  readonly idNumber: string;
  readonly phone?: string;
}

export interface FilingParties {
  readonly mortgagors?: readonly MaskedPerson[];
  readonly buyers?: readonly MaskedPerson[];
  readonly sellers?: readonly MaskedPerson[];
  readonly mortgagee?: Organisation;
  readonly seller?: Organisation;
}

export interface FilingView {
  readonly filingId: string;
  readonly clientRef: string;
  readonly batchId: string;
  readonly businessType: string;
  readonly unitCode: string;
  readonly status: string;
  readonly reasonCode?: string;
  readonly missingMaterials?: readonly string[];
  readonly correctionDeadline?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The people and organisations of the filing, people masked. */
  readonly parties: FilingParties;
  /** The business terms of the filing: everything that is not a party (amounts, dates, ids, contract numbers). */
  readonly terms: Readonly<Record<string, unknown>>;
  readonly materials: readonly Material[];
  readonly history: readonly HistoryEntry[];
  /** What was asked of which department, when, and what came back (DESIGN.md §3 Coordination). */
  readonly coordination?: CoordinationView;
  /** @deprecated MORTGAGE_CREATE only, kept for v1 clients: use `terms`. */
  readonly mortgage?: { readonly mortgageType: string; readonly amountFen: string; readonly termStart: string; readonly termEnd: string };
  /** @deprecated MORTGAGE_CREATE only: use `parties.mortgagors`. */
  readonly mortgagors?: readonly MaskedPerson[];
  /** @deprecated MORTGAGE_CREATE only: use `parties.mortgagee`. */
  readonly mortgagee?: Organisation;
}

export interface CoordinationView {
  readonly startedAt: string;
  readonly deadline: string;
  readonly overdue: boolean;
  readonly requests: readonly CoordinationRequest[];
}

/** The coordination as shown: ids, kinds, times, outcomes and department codes — never personal data. */
export const coordinationViewOf = (coordination: Coordination, now: Date): CoordinationView => ({
  startedAt: coordination.startedAt,
  deadline: coordination.deadline,
  overdue: isCoordinationOverdue(coordination, now),
  requests: requestsOf(coordination),
});

const ORGANISATION_FIELDS = ['mortgagee', 'seller'] as const;

/** Opens sealed personal data only to mask it: plaintext never leaves this function (002 五(一)). */
async function maskPeople(vault: PersonalDataVault, filing: FilingRecord, people: readonly SealedPerson[]): Promise<MaskedPerson[]> {
  const { district: tenant, filingId: bindTo } = filing;
  return Promise.all(
    people.map(async (person) => ({
      name: maskName(await vault.open(tenant, 'name', person.name, bindTo)),
      idType: person.idType,
      idNumber: maskIdNumber(await vault.open(tenant, 'idNumber', person.idNumber, bindTo)),
      phone: person.phone === undefined ? undefined : maskPhone(await vault.open(tenant, 'phone', person.phone, bindTo)),
    })),
  );
}

/** Splits the stored content into masked parties and plain terms. */
async function partiesAndTerms(vault: PersonalDataVault, filing: FilingRecord): Promise<{ parties: FilingParties; terms: Record<string, unknown> }> {
  const content = filing.content as unknown as Record<string, unknown>;
  const parties: Record<string, unknown> = {};
  const terms: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(content)) {
    if (key === 'businessType') continue;
    if ((PERSON_LIST_FIELDS as readonly string[]).includes(key)) parties[key as PersonListField] = await maskPeople(vault, filing, value as SealedPerson[]);
    else if ((ORGANISATION_FIELDS as readonly string[]).includes(key)) parties[key] = value;
    else terms[key] = value;
  }
  return { parties: parties as FilingParties, terms };
}

/**
 * One filing of the channel, with its history, personal data masked.
 *
 * 1. Load the filing; another channel's filing is answered exactly like a missing one.
 * 2. Open and mask its people; the rest of its content is its terms.
 * 3. Audit the read.
 */
export async function getFiling(
  ports: { filings: FilingRepository; vault: PersonalDataVault; audit: AuditLog },
  channel: Channel,
  filingId: string,
): Promise<FilingView> {
  const filing = await ports.filings.get(filingId);
  if (!filing || filing.channelId !== channel.channelId) {
    throw notFound('FILING_NOT_FOUND', 'No filing with this id exists for this channel.');
  }
  const view = await filingViewOf(ports.vault, filing);
  await ports.audit.record({ tenant: channel.institutionId, actor: `channel:${channel.channelId}`, action: 'FILING_READ', outcome: 'SUCCESS', target: filingId });
  return view;
}

/** The masked view of a stored filing, as the channel sees it (staff see the same: get-staff-filing.ts). */
export async function filingViewOf(vault: PersonalDataVault, filing: FilingRecord, now: Date = new Date()): Promise<FilingView> {
  const { parties, terms } = await partiesAndTerms(vault, filing);
  const { content } = filing;
  const legacy =
    content.businessType === 'MORTGAGE_CREATE'
      ? {
          mortgage: { mortgageType: content.mortgageType, amountFen: content.amountFen, termStart: content.termStart, termEnd: content.termEnd },
          mortgagors: parties.mortgagors,
          mortgagee: content.mortgagee,
        }
      : {};
  return {
    filingId: filing.filingId,
    clientRef: filing.clientRef,
    batchId: filing.batchId,
    businessType: filing.businessType,
    unitCode: filing.unitCode,
    status: filing.status,
    reasonCode: filing.reasonCode,
    missingMaterials: filing.missingMaterials,
    correctionDeadline: filing.correctionDeadline,
    createdAt: filing.createdAt,
    updatedAt: filing.updatedAt,
    parties,
    terms,
    materials: filing.materials,
    history: filing.history,
    ...(filing.coordination ? { coordination: coordinationViewOf(filing.coordination, now) } : {}),
    ...legacy,
  };
}
