/**
 * The district worklist (002 五(二)1): filings by status, oldest change first; those waiting on departments with
 * their coordination state (what was asked of whom, what came back, overdue). A filing opens with its people
 * masked; reviewers and registrars may unmask them through the purpose dialog — audited, and told to the people.
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { FilingStatus } from '../../../functions/core/domain/filing';
import type { StaffRole } from '../../../functions/core/domain/staff';
import type { filingViewSchema } from '../../../schemas/v1/filing-view';
import type { StaffFilingList } from '../../../schemas/v1/staff';
import type { unmaskedFilingSchema } from '../../../schemas/v1/unmasking';
import type { ApiClient } from '../api';
import type { PageProps } from '../app';
import { t, unmaskingPurposes } from '../messages.zh-CN';
import { ActionForm, cstTime, Dialog, Field, Resource, Table, useResource } from '../ui';

type FilingView = z.output<typeof filingViewSchema>;
type Unmasked = z.output<typeof unmaskedFilingSchema>;
type Coordination = NonNullable<FilingView['coordination']>;

const DEFAULT_STATUS: Record<StaffRole, FilingStatus> = {
  CLERK: 'INTAKE_REVIEW',
  REVIEWER: 'READY_FOR_REVIEW',
  REGISTRAR: 'READY_FOR_REVIEW',
  CREDIT_OFFICER: 'READY_FOR_REVIEW',
  AUDITOR: 'AWAITING_COORDINATION',
  ADMIN: 'AWAITING_COORDINATION',
};
/** Coordination states read for at most this many filings of a page (one request each). */
const COORDINATION_READS = 25;

function CoordinationState({ coordination }: { coordination?: Coordination }) {
  if (coordination === undefined) return <>—</>;
  return (
    <ul class="coordination">
      {coordination.overdue && <li class="flag">{t.worklist.coordinationOverdue}</li>}
      {coordination.requests.map((r) => (
        <li key={r.requestId} data-request={r.kind}>
          {t.worklist.coordinationKinds[r.kind] ?? r.kind}：{t.worklist.coordinationStates[r.state] ?? r.state}
          {r.reasonCode ? `（${r.reasonCode}）` : ''}
        </li>
      ))}
    </ul>
  );
}

async function loadPage(api: ApiClient, status: FilingStatus, cursor?: string): Promise<{ list: StaffFilingList; coordination: Map<string, Coordination | undefined> }> {
  const list = await api.get<StaffFilingList>('/v1/staff/filings', { status, limit: 50, cursor });
  const coordination = new Map<string, Coordination | undefined>();
  if (status === 'AWAITING_COORDINATION' || status === 'ACCEPTED') {
    const views = await Promise.all(list.items.slice(0, COORDINATION_READS).map((f) => api.get<FilingView>(`/v1/staff/filings/${encodeURIComponent(f.filingId)}`).catch(() => undefined)));
    for (const view of views) if (view) coordination.set(view.filingId, view.coordination);
  }
  return { list, coordination };
}

/** People and organisations as the API answers them (masked), as nested definition lists. */
function Values({ value }: { value: unknown }) {
  if (Array.isArray(value)) return <ol>{value.map((v, i) => <li key={i}><Values value={v} /></li>)}</ol>;
  if (typeof value === 'object' && value !== null)
    return (
      <dl class="values">
        {Object.entries(value).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>
              <Values value={v} />
            </dd>
          </>
        ))}
      </dl>
    );
  return <>{String(value)}</>;
}

function FilingDialog({ api, can, filingId, onClose }: Pick<PageProps, 'api' | 'can'> & { filingId: string; onClose: () => void }) {
  const view = useResource(() => api.get<FilingView>(`/v1/staff/filings/${encodeURIComponent(filingId)}`), [filingId]);
  const [purpose, setPurpose] = useState(Object.keys(unmaskingPurposes)[0]!);
  const [reason, setReason] = useState('');
  const [plain, setPlain] = useState<Unmasked>();
  return (
    <Dialog title={t.worklist.detail(filingId)} open onClose={onClose}>
      <Resource resource={view}>
        {(f) => (
          <div class="detail">
            <p>
              {t.businessTypes[f.businessType]} · {t.statuses[f.status]} · {f.unitCode}
              {f.reasonCode && ` · ${f.reasonCode}`}
            </p>
            <h3>{t.worklist.parties}</h3>
            <Values value={f.parties} />
            <h3>{t.worklist.coordination}</h3>
            <CoordinationState coordination={f.coordination} />
            <h3>{t.worklist.history}</h3>
            <ol class="steps">
              {f.history.map((h) => (
                <li key={`${h.at}${h.status}`}>
                  {cstTime(h.at)} {t.statuses[h.status]}（{h.by}）{h.reasonCode ? ` ${h.reasonCode}` : ''}
                </li>
              ))}
            </ol>
            {can('unmaskFiling') && (
              <section aria-labelledby="unmask-title" class="card">
                <h3 id="unmask-title">{t.worklist.unmaskTitle}</h3>
                <p class="notice">{t.worklist.unmaskWarning}</p>
                <ActionForm
                  label={t.worklist.unmask}
                  submitLabel={t.worklist.unmask}
                  action={async () => {
                    setPlain(await api.post<Unmasked>(`/v1/staff/filings/${encodeURIComponent(filingId)}/unmasking`, { purpose, reason }));
                    return t.worklist.unmasked;
                  }}
                >
                  <Field label={t.worklist.purpose}>
                    {(id) => (
                      <select id={id} value={purpose} onChange={(e) => setPurpose(e.currentTarget.value)}>
                        {Object.entries(unmaskingPurposes).map(([code, label]) => (
                          <option key={code} value={code}>
                            {label}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                  <Field label={t.worklist.unmaskReason}>{(id) => <textarea id={id} required minLength={4} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}</Field>
                </ActionForm>
                {plain && <Values value={plain.parties} />}
              </section>
            )}
          </div>
        )}
      </Resource>
    </Dialog>
  );
}

export function WorklistPage({ api, session, can }: PageProps) {
  const [status, setStatus] = useState<FilingStatus>(DEFAULT_STATUS[session.self.role]);
  const [cursor, setCursor] = useState<string>();
  const [open, setOpen] = useState<string>();
  const page = useResource(() => loadPage(api, status, cursor), [status, cursor]);
  return (
    <section aria-labelledby="worklist-title">
      <h2 id="worklist-title">{t.worklist.title}</h2>
      <p class="muted">{t.worklist.intro}</p>
      <Field label={t.worklist.status}>
        {(id) => (
          <select
            id={id}
            name="status"
            value={status}
            onChange={(e) => {
              setCursor(undefined);
              setStatus(e.currentTarget.value as FilingStatus);
            }}
          >
            {(Object.keys(t.statuses) as FilingStatus[]).map((s) => (
              <option key={s} value={s}>
                {t.statuses[s]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Resource resource={page}>
        {({ list, coordination }) => (
          <>
            <Table
              caption={`${t.worklist.title} · ${t.statuses[status]}`}
              testId="worklist-table"
              rows={list.items}
              rowKey={(f) => f.filingId}
              columns={[
                { key: 'filing', label: t.worklist.filing, cell: (f) => f.filingId },
                { key: 'type', label: t.worklist.businessType, cell: (f) => t.businessTypes[f.businessType] },
                { key: 'unit', label: t.worklist.unit, cell: (f) => f.unitCode },
                { key: 'institution', label: t.worklist.institution, cell: (f) => f.institutionId },
                { key: 'updated', label: t.worklist.updatedAt, cell: (f) => cstTime(f.updatedAt) },
                { key: 'flags', label: t.worklist.flagged, cell: (f) => [f.urgent ? t.worklist.urgent : '', f.flaggedForStaff ? `${t.worklist.flagged}（${f.flaggedForStaff.reason}）` : ''].filter(Boolean).join(' ') || '—' },
                { key: 'coordination', label: t.worklist.coordination, cell: (f) => <CoordinationState coordination={coordination.get(f.filingId)} /> },
                {
                  key: 'open',
                  label: t.worklist.open,
                  cell: (f) => (
                    <button type="button" onClick={() => setOpen(f.filingId)} aria-label={`${t.worklist.open} ${f.filingId}`}>
                      {t.worklist.open}
                    </button>
                  ),
                },
              ]}
            />
            {list.nextCursor && (
              <button type="button" onClick={() => setCursor(list.nextCursor)}>
                {t.more}
              </button>
            )}
          </>
        )}
      </Resource>
      {open && <FilingDialog api={api} can={can} filingId={open} onClose={() => setOpen(undefined)} />}
    </section>
  );
}
