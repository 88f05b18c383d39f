import { notFound } from '../domain/errors';
import type { FilingRecord, HistoryEntry, Material } from '../domain/filing';
import { maskIdNumber, maskName, maskPhone } from '../domain/masking';
import type { AuditLog, Channel, FilingRepository, PersonalDataVault } from '../ports';

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
  readonly mortgage: { readonly mortgageType: string; readonly amountFen: string; readonly termStart: string; readonly termEnd: string };
  readonly mortgagors: readonly { readonly name: string; readonly idType: string; readonly idNumber: string; readonly phone?: string }[];
  readonly mortgagee: { readonly name: string; readonly uscc: string };
  readonly materials: readonly Material[];
  readonly history: readonly HistoryEntry[];
}

/** Opens sealed personal data only to mask it: plaintext never leaves this function (002 五(一)). */
async function maskedMortgagors(vault: PersonalDataVault, filing: FilingRecord): Promise<FilingView['mortgagors']> {
  const { district: tenant, filingId: bindTo } = filing;
  return Promise.all(
    filing.content.mortgagors.map(async (person) => ({
      name: maskName(await vault.open(tenant, 'name', person.name, bindTo)),
      idType: person.idType,
      idNumber: maskIdNumber(await vault.open(tenant, 'idNumber', person.idNumber, bindTo)),
      phone: person.phone === undefined ? undefined : maskPhone(await vault.open(tenant, 'phone', person.phone, bindTo)),
    })),
  );
}

/**
 * One filing of the channel, with its history, personal data masked.
 *
 * 1. Load the filing; another channel's filing is answered exactly like a missing one.
 * 2. Open and mask its personal data.
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
  const mortgagors = await maskedMortgagors(ports.vault, filing);
  await ports.audit.record({ tenant: channel.institutionId, actor: `channel:${channel.channelId}`, action: 'FILING_READ', outcome: 'SUCCESS', target: filingId });
  const { content } = filing;
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
    mortgage: { mortgageType: content.mortgageType, amountFen: content.amountFen, termStart: content.termStart, termEnd: content.termEnd },
    mortgagors,
    mortgagee: content.mortgagee,
    materials: filing.materials,
    history: filing.history,
  };
}
