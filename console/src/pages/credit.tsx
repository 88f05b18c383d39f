/**
 * Credit management (DESIGN.md §4; 002 三(一)6): channels by grade and score (each opens onto its ledger and the
 * officer's actions), shutoff cases with their rectification reports to accept or reject, appeals to uphold
 * or reverse, and the credit rules — versioned data: a new version is published on the one read, and acts at once.
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import type { CreditGrade } from '../../../functions/core/domain/credit';
import type { creditAppealListSchema, creditCaseListSchema, creditChannelListSchema, creditRulesViewSchema } from '../../../schemas/v1/credit-staff';
import type { PageProps } from '../app';
import { t } from '../messages.zh-CN';
import { ActionForm, cstTime, Field, Resource, Table, useResource } from '../ui';
import { ChannelDetail } from './channel-detail';

type ChannelList = z.output<typeof creditChannelListSchema>;
type CaseList = z.output<typeof creditCaseListSchema>;
type AppealList = z.output<typeof creditAppealListSchema>;
type RulesView = z.output<typeof creditRulesViewSchema>;

const TABS = ['channels', 'cases', 'appeals', 'rules'] as const;
type Tab = (typeof TABS)[number];

export function CreditPage(props: PageProps) {
  const [tab, setTab] = useState<Tab>('channels');
  return (
    <section aria-labelledby="credit-title">
      <h2 id="credit-title">{t.credit.title}</h2>
      <div role="tablist" aria-label={t.credit.title} class="tabs">
        {TABS.map((name) => (
          <button key={name} type="button" role="tab" id={`tab-${name}`} aria-selected={tab === name} aria-controls={`panel-${name}`} onClick={() => setTab(name)}>
            {t.credit[name]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'channels' && <Channels {...props} />}
        {tab === 'cases' && <Cases {...props} />}
        {tab === 'appeals' && <Appeals {...props} />}
        {tab === 'rules' && <Rules {...props} />}
      </div>
    </section>
  );
}

function Channels({ api, can }: PageProps) {
  const [grade, setGrade] = useState<CreditGrade | ''>('');
  const [open, setOpen] = useState<string>();
  const list = useResource(() => api.get<ChannelList>('/v1/staff/credit/channels', { grade: grade || undefined, limit: 100 }), [grade]);
  return (
    <>
      <Field label={t.channels.grade}>
        {(id) => (
          <select id={id} value={grade} onChange={(e) => setGrade(e.currentTarget.value as CreditGrade | '')}>
            <option value="">—</option>
            {(Object.keys(t.grades) as CreditGrade[]).map((g) => (
              <option key={g} value={g}>
                {t.grades[g]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Resource resource={list}>
        {(data) => (
          <Table
            caption={t.credit.channels}
            testId="credit-channels"
            rows={data.items}
            rowKey={(c) => c.channelId}
            columns={[
              { key: 'channel', label: t.channels.channel, cell: (c) => (c.branchName ? `${c.branchName}（${c.channelId}）` : c.channelId) },
              { key: 'institution', label: t.channels.institution, cell: (c) => `${c.institutionId}（${t.institutionTypes[c.institutionType]}）` },
              { key: 'score', label: t.channels.score, numeric: true, cell: (c) => c.score },
              { key: 'grade', label: t.channels.grade, cell: (c) => <span class={`grade ${c.grade}`}>{t.grades[c.grade]}</span> },
              { key: 'case', label: t.credit.caseNo, cell: (c) => c.openCaseNo ?? '—' },
              {
                key: 'open',
                label: t.channels.drillDown,
                cell: (c) => (
                  <button type="button" onClick={() => setOpen(c.channelId)} aria-label={`${t.channels.drillDown} ${c.channelId}`}>
                    {t.channels.drillDown}
                  </button>
                ),
              },
            ]}
          />
        )}
      </Resource>
      {open && <ChannelDetail api={api} can={can} channelId={open} series={[]} onClose={() => setOpen(undefined)} onChanged={list.reload} />}
    </>
  );
}

function Cases({ api, can }: PageProps) {
  const cases = useResource(() => api.get<CaseList>('/v1/staff/credit/cases', { limit: 100 }), []);
  const [reasons, setReasons] = useState('');
  return (
    <Resource resource={cases}>
      {(data) => (
        <>
          <Table
            caption={t.credit.cases}
            testId="credit-cases"
            rows={data.items}
            rowKey={(c) => c.caseNo}
            columns={[
              { key: 'caseNo', label: t.credit.caseNo, cell: (c) => c.caseNo },
              { key: 'scope', label: t.credit.scope, cell: (c) => `${t.credit.scopes[c.scope]} ${c.scope === 'CHANNEL' ? c.channelId : c.institutionId}` },
              { key: 'status', label: t.incidents.status, cell: (c) => t.credit.caseStatus[c.status] },
              { key: 'reason', label: t.credit.reason, cell: (c) => t.credit.caseReason[c.reason] },
              { key: 'openedAt', label: t.credit.openedAt, cell: (c) => cstTime(c.openedAt) },
            ]}
          />
          {data.items
            .filter((c) => c.status === 'RECTIFICATION_SUBMITTED')
            .map((c) => {
              const report = c.rectifications.filter((r) => r.status === 'SUBMITTED').at(-1);
              if (report === undefined || !can('decideRectification')) return null;
              const decide = (decision: 'ACCEPT' | 'REJECT') => async () => {
                await api.post(`/v1/staff/credit/cases/${encodeURIComponent(c.caseNo)}/rectifications/${encodeURIComponent(report.rectificationId)}/decision`, { decision, reasons });
                cases.reload();
                return t.credit.done;
              };
              return (
                <article key={c.caseNo} class="card" data-case={c.caseNo}>
                  <h3>
                    {t.credit.rectifications} · {c.caseNo}
                  </h3>
                  <p>
                    <strong>{t.credit.whatWasWrong}：</strong>
                    {report.whatWasWrong}
                  </p>
                  <p>
                    <strong>{t.credit.whatChanged}：</strong>
                    {report.whatChanged}
                  </p>
                  <Field label={t.credit.decisionReasons}>{(id) => <textarea id={id} required value={reasons} onInput={(e) => setReasons(e.currentTarget.value)} />}</Field>
                  <ActionForm label={t.credit.accept} submitLabel={t.credit.accept} action={decide('ACCEPT')}>
                    {null}
                  </ActionForm>
                  <ActionForm label={t.credit.reject} submitLabel={t.credit.reject} action={decide('REJECT')}>
                    {null}
                  </ActionForm>
                </article>
              );
            })}
        </>
      )}
    </Resource>
  );
}

function Appeals({ api, can }: PageProps) {
  const appeals = useResource(() => api.get<AppealList>('/v1/staff/credit/appeals', { status: 'PENDING', limit: 100 }), []);
  const [reason, setReason] = useState('');
  return (
    <Resource resource={appeals}>
      {(data) => (
        <>
          <Table
            caption={t.credit.appeals}
            rows={data.items}
            rowKey={(a) => a.eventId}
            columns={[
              { key: 'channel', label: t.channels.channel, cell: (a) => a.channelId },
              { key: 'event', label: t.credit.ledgerKind, cell: (a) => a.eventId },
              { key: 'grounds', label: t.credit.grounds, cell: (a) => a.grounds },
              { key: 'status', label: t.incidents.status, cell: (a) => t.credit.appealStatus[a.status] },
              { key: 'at', label: t.credit.ledgerAt, cell: (a) => cstTime(a.submittedAt) },
            ]}
          />
          {can('decideCreditAppeal') &&
            data.items.map((a) => {
              const decide = (decision: 'UPHOLD' | 'REVERSE') => async () => {
                await api.post(`/v1/staff/credit/channels/${encodeURIComponent(a.channelId)}/events/${encodeURIComponent(a.eventId)}/appeal/decision`, { decision, reason });
                appeals.reload();
                return t.credit.done;
              };
              return (
                <article key={a.eventId} class="card">
                  <h3>
                    {t.credit.appeals} · {a.eventId}
                  </h3>
                  <Field label={t.credit.decisionReasons}>{(id) => <textarea id={id} required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}</Field>
                  <ActionForm label={t.credit.uphold} submitLabel={t.credit.uphold} action={decide('UPHOLD')}>
                    {null}
                  </ActionForm>
                  <ActionForm label={t.credit.reverse} submitLabel={t.credit.reverse} action={decide('REVERSE')}>
                    {null}
                  </ActionForm>
                </article>
              );
            })}
        </>
      )}
    </Resource>
  );
}

function Rules({ api, can }: PageProps) {
  const rules = useResource(() => api.get<RulesView>('/v1/staff/credit/rules'), []);
  const [text, setText] = useState<string>();
  const [note, setNote] = useState('');
  return (
    <Resource resource={rules}>
      {(data) => {
        const { version: _v, publishedAt: _p, publishedBy: _b, note: _n, ...body } = data.current;
        const editing = text ?? JSON.stringify(body, null, 2);
        return (
          <>
            <p data-testid="rules-version">
              {t.credit.rulesVersion(data.current.version)} · {cstTime(data.current.publishedAt)} · {data.current.publishedBy}
            </p>
            {can('putCreditRules') ? (
              <ActionForm
                label={t.credit.rulesEdit}
                submitLabel={t.credit.rulesPublish}
                action={async () => {
                  let parsed: unknown;
                  try {
                    parsed = JSON.parse(editing);
                  } catch {
                    throw new Error(t.credit.rulesInvalid);
                  }
                  const published = await api.put<{ version: number }>('/v1/staff/credit/rules', { ...(parsed as object), baseVersion: data.current.version, ...(note.trim() ? { note: note.trim() } : {}) });
                  setText(undefined);
                  rules.reload();
                  return t.credit.rulesPublished(published.version);
                }}
              >
                <Field label={t.credit.rulesEdit}>{(id) => <textarea id={id} class="code" rows={18} spellcheck={false} value={editing} onInput={(e) => setText(e.currentTarget.value)} />}</Field>
                <Field label={t.credit.rulesNote}>{(id) => <input id={id} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />}</Field>
              </ActionForm>
            ) : (
              <pre class="code">{JSON.stringify(body, null, 2)}</pre>
            )}
            <Table
              caption={t.credit.history}
              rows={data.history}
              rowKey={(r) => String(r.version)}
              columns={[
                { key: 'version', label: '#', cell: (r) => r.version },
                { key: 'at', label: t.credit.ledgerAt, cell: (r) => cstTime(r.publishedAt) },
                { key: 'by', label: t.credit.publishedBy, cell: (r) => r.publishedBy },
                { key: 'note', label: t.credit.rulesNote, cell: (r) => r.note ?? '' },
              ]}
            />
          </>
        );
      }}
    </Resource>
  );
}
