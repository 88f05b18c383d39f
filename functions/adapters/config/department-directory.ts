/**
 * The department registry from configuration (DESIGN.md §7b; issue 8: "connector endpoints as
 * configuration, not code"): the `DEPARTMENTS` variable holds a JSON list, set by the CDK app from its
 * `departments` context and by the local runtime for its simulators. Parsed and checked once per process;
 * a malformed list fails the function at start (STYLE.md habit 4), never a request.
 */
import { z } from 'zod';
import { DEPARTMENT_KINDS, type DepartmentKind } from '../../core/domain/coordination';
import type { Department, DepartmentDirectory } from '../../core/ports';
import { isValidSm2PublicKey } from '../../shared/crypto/sm2';
import { DEPARTMENTS_ENV } from '../../../infra/topology';

export const departmentConfigSchema = z.array(
  z.strictObject({
    departmentId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
    kind: z.enum(DEPARTMENT_KINDS),
    name: z.string().min(1).max(100),
    districts: z.array(z.string().regex(/^\d{6}$/)).min(1),
    endpoint: z.url({ protocol: /^https?$/ }),
    publicKey: z.string().refine(isValidSm2PublicKey, 'an uncompressed SM2 public key (04…, 130 hex) on the curve'),
  }),
);

export class ConfiguredDepartmentDirectory implements DepartmentDirectory {
  private readonly byId: ReadonlyMap<string, Department>;
  constructor(departments: readonly Department[]) {
    this.byId = new Map(departments.map((d) => [d.departmentId, d]));
    // One department per kind and district: a result must have exactly one place to come from.
    const seen = new Set<string>();
    for (const d of departments) {
      for (const district of d.districts) {
        const key = `${d.kind}#${district}`;
        if (seen.has(key)) throw new Error(`Two ${d.kind} departments serve district ${district}`);
        seen.add(key);
      }
    }
  }
  get(departmentId: string): Department | undefined {
    return this.byId.get(departmentId);
  }
  serving(kind: DepartmentKind, district: string): Department | undefined {
    for (const d of this.byId.values()) if (d.kind === kind && d.districts.includes(district)) return d;
    return undefined;
  }
  all(): Department[] {
    return [...this.byId.values()];
  }
}

export function parseDepartmentConfig(json: string): Department[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error(`${DEPARTMENTS_ENV} is not valid JSON`);
  }
  const parsed = departmentConfigSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${DEPARTMENTS_ENV} is not a valid department list (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  return parsed.data;
}

/** The registry as configured; an unset variable is an empty registry (no department serves anything). */
export function departmentDirectoryFromEnv(): ConfiguredDepartmentDirectory {
  const json = process.env[DEPARTMENTS_ENV];
  return new ConfiguredDepartmentDirectory(json === undefined || json.trim() === '' ? [] : parseDepartmentConfig(json));
}
