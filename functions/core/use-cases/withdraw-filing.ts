import { conflict, notFound } from '../domain/errors';
import { refuseNamesIn } from '../domain/free-text';
import type { Channel, PersonalDataVault } from '../ports';
import { filingStateOf, type FilingStateView } from './filing-state';
import { partyNamesOf } from './party-names';
import { healEffects, performTransition, type LifecyclePorts } from './transition';

export interface WithdrawFilingPorts extends LifecyclePorts {
  /** Opens the parties' names, to refuse a reason naming one. */
  readonly vault: PersonalDataVault;
}

/** Each retry re-reads the filing; more than a few races in a row means something is wrong. */
const ATTEMPTS = 5;

/**
 * The filer withdraws its filing before registration (DESIGN.md §3: "any state before REGISTERED →
 * WITHDRAWN"), through the declared WITHDRAW transition.
 *
 * 1. Load the filing; another channel's filing is answered exactly like a missing one (404). A reason naming a
 *    party of the filing is refused (422, the reason's `PERSONAL_DATA_IN_TEXT`): it is kept with the filing and
 *    in its history, in the clear. The names are opened once, on the first read.
 * 2. Already WITHDRAWN: perform what its withdrawal left pending (a crash after the write: the lock
 *    release, the audit record, the progress event) and answer its state — a repeated withdrawal is not
 *    an error, and it heals.
 * 3. Perform WITHDRAW: REGISTERED, CERTIFIED or refused answers 409 FILING_NOT_WITHDRAWABLE; an approval
 *    under way (it claimed the filing before touching the register) 409 REVIEW_IN_PROGRESS. Its effects
 *    free the unit's lock, audit (never the free-text reason, which stays on the filing) and publish the
 *    progress event. If intake or review moved the filing meanwhile, read it again and start over.
 */
export async function withdrawFiling(ports: WithdrawFilingPorts, channel: Channel, filingId: string, reason: string | undefined): Promise<FilingStateView> {
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const filing = await ports.filings.get(filingId);
    if (!filing || filing.channelId !== channel.channelId) throw notFound('FILING_NOT_FOUND', 'No filing with this id exists for this channel.');
    // The parties never change after submission, so checking on the first read covers the retries.
    if (attempt === 1 && reason !== undefined) refuseNamesIn({ reason }, await partyNamesOf(ports.vault, filing));
    if (filing.status === 'WITHDRAWN') return filingStateOf(await healEffects(ports, filing));
    const outcome = await performTransition(ports, filing, 'WITHDRAW', {
      actor: `channel:${channel.channelId}`,
      ...(reason ? { note: reason, set: { withdrawalReason: reason } } : {}),
      detail: { withReason: reason !== undefined },
    });
    if (outcome.kind === 'moved') return filingStateOf(outcome.filing);
    if (outcome.kind === 'notAllowed' && outcome.reason === 'STATUS') {
      throw conflict('FILING_NOT_WITHDRAWABLE', 'Only a filing not yet registered, refused or withdrawn can be withdrawn.', { filingStatus: filing.status });
    }
    if (outcome.kind === 'notAllowed') {
      // Once an approval has claimed the filing it may already have written the register: it must finish.
      throw conflict('REVIEW_IN_PROGRESS', 'The registry is registering this filing; it can no longer be withdrawn.', { filingStatus: filing.status });
    }
  }
  throw conflict('FILING_CHANGED', 'The filing kept changing while it was being withdrawn; read it and retry.');
}
