/**
 * What a simulated department answers to one request, from the sandbox's departments section
 * (infra/local/seed/demo-departments.ts, written to `.data/demo/sandbox.json`): pure, so each sandbox case
 * is tested on its own. A unit not listed is CONFIRMED with a reference derived from the request id, so a
 * repeated answer is byte-for-byte the same (the registry treats a repeat as no change).
 */
import type { ResultKind, ResultOutcome } from '../../../functions/core/domain/coordination';
import { sm3Hex } from '../../../functions/shared/crypto/sm3';
import type { DepartmentCase, SandboxDepartments } from '../seed/demo-departments';

export interface PlannedAnswer {
  /** Milliseconds after the simulator first received the request. */
  readonly afterMs: number;
  readonly outcome: ResultOutcome;
  readonly reasonCode?: string;
  readonly reference?: string;
}

export interface DecisionInput {
  readonly requestId: string;
  readonly kind: ResultKind;
  readonly unitCode: string;
  /** The buyers' ID numbers as opened from the sealed parties (absent when the request carried none). */
  readonly buyerIdNumbers?: readonly string[];
}

const REFERENCE_PREFIX: Readonly<Record<ResultKind, string>> = { CONTRACT_FILING: 'HT', TAX_CLEARANCE: 'WS', COMPLETION_RECORD: 'JG' };

/** The department's reference for a confirmed result: its prefix and 12 hex of SM3(request id), never personal data. */
export const referenceOf = (kind: ResultKind, requestId: string): string => `${REFERENCE_PREFIX[kind]}${sm3Hex(requestId).slice(0, 12).toUpperCase()}`;

interface IndexedCase {
  readonly name: DepartmentCase;
  readonly contractBuyers?: readonly string[];
}

/** The listed units by result kind and unit code: a unit may be listed for one kind and confirm the others. */
export class DepartmentCases {
  private readonly byKey = new Map<string, IndexedCase>();

  constructor(readonly sandbox: SandboxDepartments) {
    for (const [name, spec] of Object.entries(sandbox.cases) as [DepartmentCase, SandboxDepartments['cases'][DepartmentCase]][]) {
      for (const unit of spec.units) {
        this.byKey.set(`${spec.resultKind}#${unit.unitCode}`, { name, contractBuyers: unit.contractBuyers?.map((b) => b.idNumber) });
      }
    }
  }

  caseOf(kind: ResultKind, unitCode: string): IndexedCase | undefined {
    return this.byKey.get(`${kind}#${unitCode}`);
  }

  /**
   * The answers to one request, in order: one, or for a unit whose tax is paid late a PENDING now and a
   * CONFIRMED once `taxUnpaidSeconds` have passed since the first receipt (the tax department pushes the
   * change by itself, 002 四(一)2). `delayMs` is how long the simulator takes to answer at all.
   */
  decide(input: DecisionInput, delayMs: number): PlannedAnswer[] {
    const confirmed = (afterMs: number): PlannedAnswer => ({ afterMs, outcome: 'CONFIRMED', reference: referenceOf(input.kind, input.requestId) });
    const rejected = (reasonCode: string): PlannedAnswer => ({ afterMs: delayMs, outcome: 'REJECTED', reasonCode });
    const listed = this.caseOf(input.kind, input.unitCode);
    switch (listed?.name) {
      case undefined:
        return [confirmed(delayMs)];
      case 'NO_CONTRACT_FILING':
        return [rejected('CONTRACT_NOT_FILED')];
      case 'CONTRACT_NAMES_OTHER_BUYERS':
        return sameSet(input.buyerIdNumbers ?? [], listed.contractBuyers ?? []) ? [confirmed(delayMs)] : [rejected('CONTRACT_PARTIES_DIFFER')];
      case 'TAX_UNPAID_AT_FIRST': {
        const paidAfterMs = this.sandbox.taxUnpaidSeconds * 1000;
        // Paid before the simulator would answer at all: nothing to wait for.
        if (paidAfterMs <= delayMs) return [confirmed(delayMs)];
        return [{ afterMs: delayMs, outcome: 'PENDING', reasonCode: 'TAX_UNPAID' }, confirmed(paidAfterMs)];
      }
      case 'NO_COMPLETION_RECORD':
        return [rejected('COMPLETION_RECORD_NOT_FOUND')];
    }
  }
}

/** Same people, in any order; ID numbers compared case-insensitively (a final check character `x` is `X`). */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const norm = (list: readonly string[]) => [...new Set(list.map((s) => s.toUpperCase()))].sort();
  const [x, y] = [norm(a), norm(b)];
  return x.length > 0 && x.length === y.length && x.every((v, i) => v === y[i]);
}
