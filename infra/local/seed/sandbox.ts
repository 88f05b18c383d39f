/**
 * The sandbox register (DESIGN.md §7, "Sandbox register"): `.data/demo/sandbox.json` tells an integrator,
 * without our source, what the seeded demo register holds — for each demo channel, the units it may file
 * on (those in its districts) with their synthetic owners' names and ID numbers, active mortgages with
 * their ids and holders, seizures and advance notices with their holders; the developer's project units
 * by state; the materials each business type requires; and spare synthetic people who own nothing, to use
 * as buyers. Written from the same deterministic demo data the seed seals into the register, so it
 * describes the register as seeded (your own filings change it afterwards). Synthetic people only.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MATERIAL_CHECKLISTS, type BusinessType } from '../../../functions/core/domain/business-types';
import { channelFacts, DEMO_DISTRICTS, demoInstitutions, demoRegister, noticeIdOf, person, prng, SEIZURE_COURT, seizureIdOf, type DemoInstitution, type DemoPerson } from './demo-data';
import { DEMO_PROJECT, demoDeveloper, demoProjectUnits } from './demo-projects';
import { sandboxDepartments, type SandboxDepartments } from './demo-departments';

export const sandboxPath = (dataDir: string): string => join(dataDir, 'demo', 'sandbox.json');

interface SandboxPerson {
  readonly name: string;
  readonly idType: 'RESIDENT_ID';
  readonly idNumber: string;
}

interface SandboxOrganisation {
  readonly organisation: string;
  readonly uscc: string;
  readonly institutionId: string;
}

export interface SandboxUnit {
  readonly unitCode: string;
  readonly district: string;
  readonly address: string;
  readonly areaM2: string;
  /** REGISTERED: has a first registration; SURVEYED: surveyed, not yet first-registered (a project unit). */
  readonly status: 'REGISTERED' | 'SURVEYED';
  /** People (names, ID numbers, `share` when co-owned) or the developer as an organisation; none while SURVEYED. */
  readonly owners: readonly (SandboxPerson & { share?: string })[] | readonly SandboxOrganisation[];
  readonly mortgages: readonly { mortgageId: string; holderInstitutionId: string; amountFen: string; status: 'ACTIVE' }[];
  readonly seizures: readonly { seizureId: string; court: string; status: 'ACTIVE' }[];
  readonly notices: readonly { noticeId: string; kind: 'PRESALE_NOTICE'; holders: readonly SandboxPerson[]; status: 'ACTIVE' }[];
  /** Project units only: the project and its developer (the seller of a presale notice). */
  readonly project?: { readonly projectId: string; readonly developerName: string; readonly developerUscc: string };
}

export interface SandboxChannel {
  readonly channelId: string;
  readonly institutionId: string;
  readonly institutionName: string;
  readonly institutionType: string;
  /** The branch the channel files from: the demo bank has two branch channels, one institution, one USCC. */
  readonly branchName?: string;
  readonly uscc: string;
  readonly allowedDistricts: readonly string[];
  readonly allowedBusinessTypes: readonly BusinessType[];
  /** Every unit in the channel's districts: what intake decides on them depends on the business type. */
  readonly units: readonly SandboxUnit[];
  /** DEVELOPER only: its projects, unit codes by state. */
  readonly projects?: readonly SandboxProject[];
}

export interface SandboxProject {
  readonly projectId: string;
  readonly name: string;
  readonly district: string;
  readonly developer: { readonly institutionId: string; readonly name: string; readonly uscc: string };
  readonly unitsByState: {
    /** Surveyed, no notice: first registration or a presale notice to anyone. */
    readonly SURVEYED: readonly string[];
    /** Surveyed, presold: an active presale notice (holders in the unit's `notices`). */
    readonly SURVEYED_UNDER_NOTICE: readonly string[];
    /** First-registered to the developer, unsold: a new-home transfer to anyone. */
    readonly REGISTERED: readonly string[];
    /** First-registered, presold: a new-home transfer only to the notice holders. */
    readonly REGISTERED_UNDER_NOTICE: readonly string[];
  };
}

export interface Sandbox {
  readonly note: string;
  readonly districts: Readonly<Record<string, string>>;
  /** Required material types per business type (checklist version 1, as seeded; staff may publish newer ones). */
  readonly requiredMaterials: Readonly<Record<string, readonly string[]>>;
  /** Synthetic people who own nothing in the register: buyers for transfers and presale notices. */
  readonly spareBuyers: readonly SandboxPerson[];
  readonly channels: readonly SandboxChannel[];
  /**
   * What the local tax and trading department simulators answer, per unit (DESIGN.md §7b): units with no
   * contract filing, with a contract naming other buyers, with tax unpaid at first, with no completion
   * record; every other unit confirms. See demo-departments.ts.
   */
  readonly departments: SandboxDepartments;
}

const sandboxPerson = (p: DemoPerson): SandboxPerson => ({ name: p.name, idType: 'RESIDENT_ID', idNumber: p.idNumber });

let unitsCache: SandboxUnit[] | undefined;

/** Every unit of the seeded register (the 1,200 units and the developer's project), as the sandbox shows it. */
function sandboxUnits(): SandboxUnit[] {
  if (unitsCache) return unitsCache;
  const developer = demoDeveloper();
  const registered: SandboxUnit[] = demoRegister().map((u) => ({
    unitCode: u.unitCode,
    district: u.district,
    address: u.address,
    areaM2: u.areaM2,
    status: 'REGISTERED',
    owners: u.owners.map((o) => ({ ...sandboxPerson(o), share: u.owners.length > 1 ? `1/${u.owners.length}` : undefined })),
    mortgages: u.mortgages.map((m) => ({ ...m, status: 'ACTIVE' as const })),
    seizures: u.seized ? [{ seizureId: seizureIdOf(u.unitCode), court: SEIZURE_COURT, status: 'ACTIVE' as const }] : [],
    notices: [],
  }));
  const project: SandboxUnit[] = demoProjectUnits().map((u) => ({
    unitCode: u.unitCode,
    district: u.district,
    address: u.address,
    areaM2: u.areaM2,
    status: u.status,
    owners: u.status === 'REGISTERED' ? [{ organisation: developer.name, uscc: developer.uscc, institutionId: developer.institutionId }] : [],
    mortgages: [],
    seizures: [],
    notices: u.presaleBuyers ? [{ noticeId: noticeIdOf(u.unitCode), kind: 'PRESALE_NOTICE' as const, holders: u.presaleBuyers.map(sandboxPerson), status: 'ACTIVE' as const }] : [],
    project: { projectId: DEMO_PROJECT.projectId, developerName: developer.name, developerUscc: developer.uscc },
  }));
  unitsCache = [...registered, ...project];
  return unitsCache;
}

function projectOf(developer: DemoInstitution): SandboxProject {
  const units = demoProjectUnits();
  const codes = (status: 'SURVEYED' | 'REGISTERED', presold: boolean) => units.filter((u) => u.status === status && Boolean(u.presaleBuyers) === presold).map((u) => u.unitCode);
  return {
    projectId: DEMO_PROJECT.projectId,
    name: DEMO_PROJECT.name,
    district: DEMO_PROJECT.district,
    developer: { institutionId: developer.institutionId, name: developer.name, uscc: developer.uscc },
    unitsByState: {
      SURVEYED: codes('SURVEYED', false),
      SURVEYED_UNDER_NOTICE: codes('SURVEYED', true),
      REGISTERED: codes('REGISTERED', false),
      REGISTERED_UNDER_NOTICE: codes('REGISTERED', true),
    },
  };
}

/** Synthetic people (fixed seed) whose ID numbers are not those of any owner or notice holder. */
function spareBuyers(count: number): SandboxPerson[] {
  const taken = new Set(sandboxUnits().flatMap((u) => [...u.owners.flatMap((o) => ('idNumber' in o ? [o.idNumber] : [])), ...u.notices.flatMap((n) => n.holders.map((h) => h.idNumber))]));
  const rand = prng(20_260_703);
  const districts = Object.keys(DEMO_DISTRICTS);
  const people: SandboxPerson[] = [];
  while (people.length < count) {
    const candidate = person(rand, districts[people.length % districts.length]!);
    if (!taken.has(candidate.idNumber)) {
      taken.add(candidate.idNumber);
      people.push(sandboxPerson(candidate));
    }
  }
  return people;
}

export function buildSandbox(): Sandbox {
  const units = sandboxUnits();
  const developer = demoDeveloper();
  return {
    note: 'Sandbox register of the local runtime, as seeded: synthetic people only. Explained in the README ("The sandbox register").',
    districts: { ...DEMO_DISTRICTS },
    requiredMaterials: Object.fromEntries(Object.entries(MATERIAL_CHECKLISTS).map(([type, checklist]) => [type, checklist.required])),
    spareBuyers: spareBuyers(40),
    channels: demoInstitutions().map((institution) => ({
      ...channelFacts(institution),
      units: units.filter((u) => (institution.allowedDistricts as readonly string[]).includes(u.district)),
      projects: institution.institutionId === developer.institutionId ? [projectOf(institution)] : undefined,
    })),
    departments: sandboxDepartments(),
  };
}

/**
 * JSON with one unit (or one person) per line: small enough to read, `grep` and `jq`, and a tenth of
 * the size of fully indented JSON.
 */
export function formatSandbox(sandbox: Sandbox): string {
  const lines = (items: readonly unknown[], indent: string) => items.map((item) => `${indent}${JSON.stringify(item)}`).join(',\n');
  const channels = sandbox.channels.map((c) => {
    const { units, projects, ...head } = c;
    const headJson = JSON.stringify(head).slice(1, -1);
    return [
      `    {${headJson},`,
      ...(projects ? [`      "projects": ${JSON.stringify(projects)},`] : []),
      '      "units": [',
      lines(units, '        '),
      '      ]',
      '    }',
    ].join('\n');
  });
  return [
    '{',
    `  "note": ${JSON.stringify(sandbox.note)},`,
    `  "districts": ${JSON.stringify(sandbox.districts)},`,
    `  "requiredMaterials": ${JSON.stringify(sandbox.requiredMaterials)},`,
    '  "spareBuyers": [',
    lines(sandbox.spareBuyers, '    '),
    '  ],',
    '  "channels": [',
    channels.join(',\n'),
    '  ],',
    formatDepartments(sandbox.departments),
    '}',
    '',
  ].join('\n');
}

/** The departments section: one case per line group, one listed unit per line. */
function formatDepartments(departments: SandboxDepartments): string {
  const { cases, ...head } = departments;
  const caseLines = Object.entries(cases).map(([name, spec]) => {
    const { units, ...rest } = spec;
    return [`      ${JSON.stringify(name)}: {${JSON.stringify(rest).slice(1, -1)},`, '        "units": [', units.map((u) => `          ${JSON.stringify(u)}`).join(',\n'), '        ]', '      }'].join('\n');
  });
  return ['  "departments": {', `    ${JSON.stringify(head).slice(1, -1)},`, '    "cases": {', caseLines.join(',\n'), '    }', '  }'].join('\n');
}

/** Writes `<dataDir>/demo/sandbox.json` (0600, like the credentials beside it). */
export async function writeSandbox(dataDir: string): Promise<void> {
  await writeFile(sandboxPath(dataDir), formatSandbox(buildSandbox()), { mode: 0o600 });
}
