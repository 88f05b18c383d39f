/** Seals the demo project's units into register views (buyers of presale notices by blind index only). */
import type { PersonalDataVault } from '../../../functions/core/ports';
import type { SeedUnit } from '../../../functions/adapters/dynamodb/register-repository';
import { noticeIdOf } from './demo-data';
import { DEMO_PROJECT, demoDeveloper, demoProjectUnits, type DemoProjectUnit } from './demo-projects';

async function toUnitView(vault: PersonalDataVault, unit: DemoProjectUnit): Promise<SeedUnit> {
  const developer = demoDeveloper();
  const holderIndexes = await Promise.all((unit.presaleBuyers ?? []).map((b) => vault.blindIndex(unit.district, 'idNumber', b.idNumber)));
  return {
    unitCode: unit.unitCode,
    district: unit.district,
    status: unit.status,
    address: unit.address,
    areaM2: unit.areaM2,
    owners: unit.status === 'REGISTERED' ? [{ kind: 'ORGANISATION', name: developer.name, uscc: developer.uscc, institutionId: developer.institutionId }] : [],
    mortgages: [],
    seizures: [],
    notices: holderIndexes.length > 0 ? [{ noticeId: noticeIdOf(unit.unitCode), kind: 'PRESALE_NOTICE', holderIndexes, status: 'ACTIVE' }] : [],
    project: { projectId: DEMO_PROJECT.projectId, developerInstitutionId: developer.institutionId, developerUscc: developer.uscc, developerName: developer.name },
  };
}

export function demoProjectUnitViews(vault: PersonalDataVault): Promise<SeedUnit[]> {
  return Promise.all(demoProjectUnits().map((unit) => toUnitView(vault, unit)));
}
