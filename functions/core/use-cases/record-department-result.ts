/**
 * A department's result for one request (DESIGN.md §7b; 002 四(一)2: the tax department pushes whether tax
 * is paid, in real time), recorded through the declared transitions.
 */
import { decideResult, DEPARTMENT_REASON_CODES, findRequest, type DepartmentResult } from '../domain/coordination';
import { conflict, notFound, unprocessable } from '../domain/errors';
import type { FilingRecord, FilingStatus } from '../domain/filing';
import type { Department } from '../ports';
import { healEffects, performTransition, type LifecyclePorts } from './transition';

export type RecordDepartmentResultPorts = LifecyclePorts;

export interface RecordedResult {
  readonly requestId: string;
  readonly filingId: string;
  readonly kind: DepartmentResult['kind'];
  readonly outcome: DepartmentResult['outcome'];
  readonly changed: boolean;
  readonly filingStatus: FilingStatus;
}

const ATTEMPTS = 5;

const unknownRequest = () => notFound('REQUEST_NOT_FOUND', 'No request with this id was made to your department for this filing.');

/**
 * The request must have been made to this department: delivered to it, or — a result that overtakes the
 * connector's record of the delivery — to the department of its kind serving the filing's district.
 */
function madeTo(department: Department, filing: FilingRecord, request: { departmentId?: string; departmentKind: string }): boolean {
  if (request.departmentId !== undefined) return request.departmentId === department.departmentId;
  return request.departmentKind === department.kind && department.districts.includes(filing.district);
}

/**
 * 1. Load the filing and find the request; a request unknown, or made to another department, answers 404
 *    (the same, so no department learns of another's requests); a kind other than the request's is 422.
 * 2. Decide (functions/core/domain/coordination.ts): the same answer again changes nothing (200,
 *    `changed: false`, after healing what its first recording may have left pending); one contradicting an
 *    earlier final answer is 409 RESULT_CONTRADICTS and audited; an answer to a cancelled request 409.
 * 3. Perform the transition it calls for, with the request's new state: RECORD_DEPARTMENT_RESULT (the
 *    filing keeps waiting), COMPLETE_COORDINATION (→ READY_FOR_REVIEW) or REFUSE_BY_DEPARTMENT (→ REFUSED
 *    with the department's reason code; the other open requests are cancelled and their departments told).
 *    If the filing changed meanwhile (another result, a withdrawal), read it again and decide again.
 */
export async function recordDepartmentResult(ports: RecordDepartmentResultPorts, department: Department, result: DepartmentResult & { readonly filingId: string }): Promise<RecordedResult> {
  const actor = `department:${department.departmentId}`;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(result.filingId);
    const request = filing ? findRequest(filing.coordination, result.requestId) : undefined;
    if (!filing || !request || !madeTo(department, filing, request)) throw unknownRequest();
    if (request.kind !== result.kind) {
      throw unprocessable('RESULT_KIND_MISMATCH', `Request ${result.requestId} asked for ${request.kind}, not ${result.kind}.`);
    }
    const answer = (changed: boolean, status: FilingStatus): RecordedResult => ({
      requestId: result.requestId,
      filingId: filing.filingId,
      kind: result.kind,
      outcome: result.outcome,
      changed,
      filingStatus: status,
    });

    const at = ports.clock.now().toISOString();
    const decision = decideResult(filing.coordination!, request, result, at);
    switch (decision.kind) {
      case 'repeat':
        return answer(false, (await healEffects(ports, filing)).status);
      case 'cancelled':
        throw conflict('REQUEST_CANCELLED', 'The registry cancelled this request (the filing was withdrawn or refused); no result is needed.', { filingStatus: filing.status });
      case 'contradicts':
        await ports.audit.record({
          tenant: filing.district,
          actor,
          action: 'DEPARTMENT_RESULT_CONTRADICTED',
          outcome: 'DENIED',
          target: filing.filingId,
          detail: { requestId: request.requestId, kind: request.kind, recorded: request.state, received: result.outcome, ...(result.reasonCode ? { reasonCode: result.reasonCode } : {}) },
        });
        throw conflict('RESULT_CONTRADICTS', `This request was already answered ${request.state}; a final result cannot be changed.`, { filingStatus: filing.status });
    }

    const detail = { requestId: request.requestId, kind: request.kind, outcome: result.outcome, departmentId: department.departmentId, ...(result.reasonCode ? { departmentReasonCode: result.reasonCode } : {}) };
    const set = { coordination: decision.coordination };
    const outcome =
      decision.kind === 'refuse'
        ? await performTransition(ports, filing, 'REFUSE_BY_DEPARTMENT', {
            actor,
            reasonCode: decision.reasonCode,
            note: DEPARTMENT_REASON_CODES[decision.reasonCode] ?? `Refused on the ${request.kind} result of the ${department.kind.toLowerCase()} department.`,
            set,
            detail,
          })
        : await performTransition(ports, filing, decision.kind === 'complete' ? 'COMPLETE_COORDINATION' : 'RECORD_DEPARTMENT_RESULT', { actor, set, detail });
    if (outcome.kind === 'moved') return answer(true, outcome.filing.status);
    if (outcome.kind === 'notAllowed') {
      throw conflict('FILING_NOT_AWAITING_RESULTS', 'The filing is no longer waiting on department results.', { filingStatus: filing.status });
    }
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while the result was recorded; send it again.');
}
