/**
 * A credit officer's actions on a channel or its institution (002 三(一)6: 关闭端口，整改合格后予以开放): record a
 * violation, shut the channel or the whole institution off, reopen a case on probation. Each calls the API
 * and reports what it answered; `onDone` reloads the figures so the effect shows at once.
 */
import { useState } from 'preact/hooks';
import type { ApiClient } from '../api';
import { t } from '../messages.zh-CN';
import { ActionForm, Field } from '../ui';

const FILING_ID = /^[A-Za-z0-9-]{1,64}$/;

interface Evidence {
  filingIds?: string[];
  note?: string;
}

function EvidenceFields({ value, onChange }: { value: { filings: string; note: string }; onChange: (v: { filings: string; note: string }) => void }) {
  return (
    <>
      <Field label={t.credit.evidenceFilings}>{(id) => <input id={id} name="evidenceFilings" value={value.filings} onInput={(e) => onChange({ ...value, filings: e.currentTarget.value })} />}</Field>
      <Field label={t.credit.evidenceNote}>{(id) => <input id={id} name="evidenceNote" maxLength={2000} value={value.note} onInput={(e) => onChange({ ...value, note: e.currentTarget.value })} />}</Field>
    </>
  );
}

const evidenceOf = (v: { filings: string; note: string }): Evidence => {
  const filingIds = v.filings
    .split(/[,，\s]+/)
    .map((s) => s.trim())
    .filter((s) => FILING_ID.test(s));
  return { ...(filingIds.length > 0 ? { filingIds } : {}), ...(v.note.trim() ? { note: v.note.trim() } : {}) };
};

export function CreditActions({ api, channelId, institutionId, openCaseNo, onDone }: { api: ApiClient; channelId: string; institutionId: string; openCaseNo?: string; onDone: () => void }) {
  const [violation, setViolation] = useState({ points: '-10', reason: '', filings: '', note: '' });
  const [shutoff, setShutoff] = useState({ scope: 'CHANNEL' as 'CHANNEL' | 'INSTITUTION', reason: '', filings: '', note: '' });
  const [reopen, setReopen] = useState('');
  return (
    <div class="actions" data-testid="credit-actions">
      <h3>{t.credit.actions}</h3>
      <ActionForm
        label={t.credit.violation}
        submitLabel={t.credit.violation}
        testId="violation-form"
        action={async () => {
          await api.post(`/v1/staff/credit/channels/${encodeURIComponent(channelId)}/violations`, { points: Number(violation.points), reason: violation.reason, evidence: evidenceOf(violation) });
          onDone();
          return t.credit.recorded;
        }}
      >
        <Field label={t.credit.points}>{(id) => <input id={id} name="points" type="number" max={-1} required value={violation.points} onInput={(e) => setViolation({ ...violation, points: e.currentTarget.value })} />}</Field>
        <Field label={t.credit.reason}>{(id) => <textarea id={id} name="reason" required maxLength={2000} value={violation.reason} onInput={(e) => setViolation({ ...violation, reason: e.currentTarget.value })} />}</Field>
        <EvidenceFields value={violation} onChange={(v) => setViolation({ ...violation, ...v })} />
      </ActionForm>
      <ActionForm
        label={t.credit.shutOffChannel}
        submitLabel={shutoff.scope === 'CHANNEL' ? t.credit.shutOffChannel : t.credit.shutOffInstitution}
        testId="shutoff-form"
        action={async () => {
          const target = shutoff.scope === 'CHANNEL' ? { scope: 'CHANNEL', channelId } : { scope: 'INSTITUTION', institutionId };
          const result = await api.post<{ caseNo: string }>('/v1/staff/credit/shutoffs', { ...target, reason: shutoff.reason, evidence: evidenceOf(shutoff) });
          onDone();
          return t.credit.shutOffDone(result.caseNo);
        }}
      >
        <fieldset>
          <legend>{t.credit.scope}</legend>
          {(['CHANNEL', 'INSTITUTION'] as const).map((scope) => (
            <label key={scope} class="inline">
              <input type="radio" name="scope" value={scope} checked={shutoff.scope === scope} onChange={() => setShutoff({ ...shutoff, scope })} />
              {scope === 'CHANNEL' ? `${t.credit.scopes.CHANNEL} ${channelId}` : `${t.credit.scopes.INSTITUTION} ${institutionId}`}
            </label>
          ))}
        </fieldset>
        <Field label={t.credit.reason}>{(id) => <textarea id={id} name="reason" required maxLength={2000} value={shutoff.reason} onInput={(e) => setShutoff({ ...shutoff, reason: e.currentTarget.value })} />}</Field>
        <EvidenceFields value={shutoff} onChange={(v) => setShutoff({ ...shutoff, ...v })} />
      </ActionForm>
      {openCaseNo && (
        <ActionForm
          label={t.credit.reopen}
          submitLabel={t.credit.reopen}
          testId="reopen-form"
          action={async () => {
            await api.post(`/v1/staff/credit/cases/${encodeURIComponent(openCaseNo)}/reopening`, { reason: reopen });
            onDone();
            return t.credit.reopened;
          }}
        >
          <Field label={t.credit.reason}>{(id) => <textarea id={id} name="reason" required maxLength={2000} value={reopen} onInput={(e) => setReopen(e.currentTarget.value)} />}</Field>
        </ActionForm>
      )}
    </div>
  );
}
