import { rulesObjections, type CreditRules, type CreditRulesDraft } from '../domain/credit';
import { unprocessable, type FieldError } from '../domain/errors';
import type { StaffAccount } from '../domain/staff';
import type { AuditLog, Clock, CreditRulesStore } from '../ports';

export interface CreditRulesView {
  readonly current: CreditRules;
  readonly history: readonly CreditRules[];
}

/** The credit rules in force and every version, newest first (DESIGN.md §4: rules are versioned data). */
export async function getCreditRules(ports: { rules: CreditRulesStore }): Promise<CreditRulesView> {
  const [current, history] = await Promise.all([ports.rules.current(), ports.rules.history()]);
  return { current, history };
}

/** An objection (`thresholds: shutOffBelow < watchBelow …`) as a field error: the path before the colon. */
const fieldErrorOf = (objection: string): FieldError => {
  const colon = objection.indexOf(':');
  return { path: colon < 0 ? '' : objection.slice(0, colon), code: 'RULES_OBJECTION', message: colon < 0 ? objection : objection.slice(colon + 1).trim() };
};

/**
 * A credit officer publishes a new version of the credit rules (002 三(一)6; DESIGN.md §4: points,
 * thresholds and restrictions are configuration as versioned data, never code).
 *
 * 1. Refuse a body whose numbers do not hold together (`rulesObjections`): 422 CREDIT_RULES_INVALID with
 *    the objections as field `errors`; nothing is published.
 * 2. Publish `baseVersion + 1`, refused (409 CREDIT_RULES_VERSION_CONFLICT) unless `baseVersion` is current.
 * 3. Audit the publication (version and base; the rules themselves are in the store, every version kept).
 */
export async function publishCreditRules(
  ports: { rules: CreditRulesStore; audit: AuditLog; clock: Clock },
  staff: Pick<StaffAccount, 'staffId' | 'district'>,
  draft: CreditRulesDraft,
): Promise<CreditRules> {
  const objections = rulesObjections(draft);
  if (objections.length > 0) {
    throw unprocessable('CREDIT_RULES_INVALID', 'The rules do not hold together; see `errors`. Nothing was published.', { errors: objections.map(fieldErrorOf) });
  }
  const actor = `staff:${staff.staffId}`;
  const published = await ports.rules.publish(draft, actor, ports.clock.now());
  await ports.audit.record({
    tenant: staff.district,
    actor,
    action: 'CREDIT_RULES_PUBLISHED',
    outcome: 'SUCCESS',
    target: `credit-rules:${published.version}`,
    detail: { version: published.version, baseVersion: draft.baseVersion },
  });
  return published;
}
