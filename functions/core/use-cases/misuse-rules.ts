import { unprocessable, type FieldError } from '../domain/errors';
import { misuseRulesObjections, type MisuseAlert, type MisuseRules, type MisuseRulesDraft } from '../domain/misuse';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, Clock, MisuseStore, Page } from '../ports';

export interface MisuseRulesView {
  readonly current: MisuseRules;
  readonly history: readonly MisuseRules[];
}

/** The misuse rules in force and every version, newest first (004 第二十五条: thresholds are versioned data). */
export async function getMisuseRules(ports: { store: MisuseStore }): Promise<MisuseRulesView> {
  const [current, history] = await Promise.all([ports.store.currentRules(), ports.store.rulesHistory()]);
  return { current, history };
}

const fieldErrorOf = (objection: string): FieldError => {
  const colon = objection.indexOf(':');
  return { path: objection.slice(0, colon), code: 'RULES_OBJECTION', message: objection.slice(colon + 1).trim() };
};

/**
 * An administrator publishes a new version of the misuse rules.
 *
 * 1. Refuse thresholds that do not hold together: 422 MISUSE_RULES_INVALID, nothing published.
 * 2. Publish `baseVersion + 1` (409 MISUSE_RULES_VERSION_CONFLICT unless `baseVersion` is current).
 * 3. Audit the publication in log `security` (retention INCIDENT: the rules decide what raises incidents).
 */
export async function publishMisuseRules(ports: { store: MisuseStore; audit: AuditLog; clock: Clock }, staff: Pick<StaffAccount, 'staffId'>, draft: MisuseRulesDraft): Promise<MisuseRules> {
  const objections = misuseRulesObjections(draft);
  if (objections.length > 0) throw unprocessable('MISUSE_RULES_INVALID', 'The rules do not hold together; see `errors`. Nothing was published.', { errors: objections.map(fieldErrorOf) });
  const actor = `staff:${staff.staffId}`;
  const published = await ports.store.publishRules(draft, actor, ports.clock.now());
  await ports.audit.record({
    tenant: 'security',
    actor,
    action: 'MISUSE_RULES_PUBLISHED',
    outcome: 'SUCCESS',
    target: `misuse-rules:${published.version}`,
    retention: 'INCIDENT',
    detail: { version: published.version, baseVersion: draft.baseVersion },
  });
  return published;
}

/** The caller's district's misuse alerts, newest first. */
export const listMisuseAlerts = (ports: { store: MisuseStore }, staff: Pick<StaffAccount, 'district'>, page: { limit: number; cursor?: string }): Promise<Page<MisuseAlert>> =>
  ports.store.listAlerts(staff.district, page);
