/**
 * The demo developer's project for the local runtime: a new development in district 370102 whose
 * buildings 1–2 are surveyed but not yet first-registered (presale; some units carry a buyer's presale
 * notice) and whose building 3 is completed and first-registered to the developer (new homes for sale;
 * some presold). Deterministic, like the rest of the demo data, so the demo can file against it.
 */
import { demoInstitutions, person, prng, type DemoPerson } from './demo-data';

export const DEMO_PROJECT = { projectId: 'QC-2026-01', name: '泉城示范花园', district: '370102' } as const;

export interface DemoProjectUnit {
  readonly unitCode: string;
  readonly district: string;
  readonly address: string;
  readonly areaM2: string;
  /** SURVEYED: not yet first-registered; REGISTERED: first-registered to the developer. */
  readonly status: 'SURVEYED' | 'REGISTERED';
  /** Buyers holding an active presale notice on the unit, if it was presold. */
  readonly presaleBuyers?: readonly DemoPerson[];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

let cache: DemoProjectUnit[] | undefined;

export function demoDeveloper() {
  return demoInstitutions().find((i) => i.type === 'DEVELOPER')!;
}

export function demoProjectUnits(): DemoProjectUnit[] {
  if (cache) return cache;
  const rand = prng(20_260_702);
  const units: DemoProjectUnit[] = [];
  for (let building = 1; building <= 3; building += 1) {
    for (let floor = 1; floor <= 10; floor += 1) {
      for (let door = 1; door <= 2; door += 1) {
        const room = floor * 100 + door;
        const presold = rand() < 0.3;
        units.push({
          unitCode: `${DEMO_PROJECT.district}001002GB00101F${pad(building, 4)}${pad(room, 4)}`,
          district: DEMO_PROJECT.district,
          address: `济南市历下区${DEMO_PROJECT.name}${building}号楼${room}室`,
          areaM2: (80 + rand() * 60).toFixed(2),
          status: building === 3 ? 'REGISTERED' : 'SURVEYED',
          presaleBuyers: presold ? Array.from({ length: rand() < 0.3 ? 2 : 1 }, () => person(rand, DEMO_PROJECT.district)) : undefined,
        });
      }
    }
  }
  cache = units;
  return units;
}
