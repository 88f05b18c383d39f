/**
 * The audit log (DESIGN.md §5; 002 五(二)4): search a tenant's log, trace a filing or a staff member, export a
 * range with its signed manifest, and check the log: every signed tree head in range against the pinned log key
 * and each consistent with the one before — verified here, in the browser, by the same independent verifier
 * institutions use (client/zt-audit.ts), not taken on the server's word.
 */
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { keyIdMatches, verifyConsistency, verifyExport, verifyTreeHeadSignature, type SignedTreeHead } from '../../../client/zt-audit';
import type { consistencySchema, createdExportSchema, entryListSchema, logKeySchema, treeHeadListSchema } from '../../../schemas/v1/audit';
import type { ApiClient } from '../api';
import type { PageProps } from '../app';
import { t } from '../messages.zh-CN';
import { ActionForm, cstTime, Field, Table } from '../ui';

type EntryList = z.output<typeof entryListSchema>;
type LogKey = z.output<typeof logKeySchema>;
type TreeHeadList = z.output<typeof treeHeadListSchema>;
type Consistency = z.output<typeof consistencySchema>;
type CreatedExport = z.output<typeof createdExportSchema>;

/** The most recent heads checked pair by pair (the first of them is also checked against the last). */
const MAX_HEADS = 50;

export type LogVerdict = { ok: true; heads: number; treeSize: number; pairs: number; keyId: string } | { ok: false; reason: string; keyId?: string } | { ok: 'empty' };

export async function verifyLog(api: ApiClient, tenant: string): Promise<LogVerdict> {
  const key = await api.get<LogKey>('/v1/audit/log-key');
  const path = `/v1/staff/audit/logs/${encodeURIComponent(tenant)}`;
  const list = await api.get<TreeHeadList>(`${path}/tree-heads`, { fromSize: 0 });
  const heads = list.items.slice(-MAX_HEADS) as SignedTreeHead[];
  if (heads.length === 0) return { ok: 'empty' };
  const fail = (reason: string): LogVerdict => ({ ok: false, reason: t.audit.reasons[reason] ?? reason, keyId: key.keyId });
  const first = heads[0]!;
  if (!keyIdMatches(first.keyId, key.publicKey)) return fail('KEY_MISMATCH');
  if (!verifyTreeHeadSignature(first.treeHead, first.signature, key.publicKey)) return fail('BAD_TREE_HEAD_SIGNATURE');
  let pairs = 0;
  const check = async (older: SignedTreeHead, newer: SignedTreeHead): Promise<LogVerdict | undefined> => {
    const { proof } = await api.get<Consistency>(`${path}/proofs/consistency`, { first: older.treeHead.treeSize, second: newer.treeHead.treeSize });
    const verdict = verifyConsistency(older, newer, proof, key.publicKey);
    pairs += 1;
    return verdict.ok ? undefined : fail(verdict.reason);
  };
  for (let i = 1; i < heads.length; i++) {
    const bad = await check(heads[i - 1]!, heads[i]!);
    if (bad) return bad;
  }
  if (heads.length > 2) {
    const bad = await check(first, heads.at(-1)!);
    if (bad) return bad;
  }
  return { ok: true, heads: heads.length, treeSize: heads.at(-1)!.treeHead.treeSize, pairs, keyId: key.keyId };
}

export function AuditPage({ api, session }: PageProps) {
  const [tenant, setTenant] = useState(session.self.district);
  const [filter, setFilter] = useState({ actor: '', action: '', target: '' });
  const [entries, setEntries] = useState<EntryList>();
  const [trace, setTrace] = useState({ kind: 'filingId' as 'filingId' | 'staffId', id: '' });
  const [verdict, setVerdict] = useState<LogVerdict>();
  const [exported, setExported] = useState<{ created: CreatedExport; ok: boolean; url: string }>();
  return (
    <section aria-labelledby="audit-title">
      <h2 id="audit-title">{t.audit.title}</h2>
      <p class="muted">{t.audit.intro}</p>
      <Field label={t.audit.tenant}>{(id) => <input id={id} name="tenant" required value={tenant} onInput={(e) => setTenant(e.currentTarget.value.trim())} />}</Field>

      <div class="card" data-testid="verify">
        <h3>{t.audit.verdictTitle}</h3>
        <ActionForm
          label={t.audit.verify}
          submitLabel={t.audit.verify}
          testId="verify-form"
          action={async () => {
            setVerdict(undefined);
            const result = await verifyLog(api, tenant);
            setVerdict(result);
            return result.ok === 'empty' ? t.audit.verdictEmpty : result.ok ? t.audit.verdictOk(result.heads, result.treeSize) : t.audit.verdictBad(result.reason);
          }}
        >
          {null}
        </ActionForm>
        {verdict && (
          <p class={`verdict ${verdict.ok === true ? 'ok' : verdict.ok === false ? 'bad' : ''}`} data-testid="verdict" data-ok={String(verdict.ok)}>
            {verdict.ok === 'empty' ? t.audit.verdictEmpty : verdict.ok ? `${t.audit.verdictOk(verdict.heads, verdict.treeSize)} ${t.audit.checkedPairs(verdict.pairs)}；${t.audit.logKey(verdict.keyId)}` : t.audit.verdictBad(verdict.reason)}
          </p>
        )}
      </div>

      <ActionForm
        label={t.audit.search}
        submitLabel={t.audit.search}
        testId="search-form"
        action={async () => {
          const list = await api.get<EntryList>('/v1/staff/audit/entries', { tenant, actor: filter.actor, action: filter.action, target: filter.target, limit: 100 });
          setEntries(list);
          return `${list.items.length}`;
        }}
      >
        <div class="filters">
          <Field label={t.audit.actor}>{(id) => <input id={id} value={filter.actor} onInput={(e) => setFilter({ ...filter, actor: e.currentTarget.value })} />}</Field>
          <Field label={t.audit.action}>{(id) => <input id={id} value={filter.action} onInput={(e) => setFilter({ ...filter, action: e.currentTarget.value.toUpperCase() })} />}</Field>
          <Field label={t.audit.target}>{(id) => <input id={id} value={filter.target} onInput={(e) => setFilter({ ...filter, target: e.currentTarget.value })} />}</Field>
        </div>
      </ActionForm>

      <ActionForm
        label={t.audit.trace}
        submitLabel={t.audit.trace}
        action={async () => {
          const list = await api.get<EntryList>('/v1/staff/audit/trace', { [trace.kind]: trace.id.trim(), limit: 100 });
          setEntries(list);
          return `${list.items.length}`;
        }}
      >
        <div class="filters">
          <Field label={t.audit.trace}>
            {(id) => (
              <select id={id} value={trace.kind} onChange={(e) => setTrace({ ...trace, kind: e.currentTarget.value as 'filingId' | 'staffId' })}>
                <option value="filingId">{t.audit.traceFiling}</option>
                <option value="staffId">{t.audit.traceStaff}</option>
              </select>
            )}
          </Field>
          <Field label={trace.kind === 'filingId' ? t.audit.filingId : t.audit.staffId}>{(id) => <input id={id} required value={trace.id} onInput={(e) => setTrace({ ...trace, id: e.currentTarget.value })} />}</Field>
        </div>
      </ActionForm>

      {entries && (
        <Table
          caption={t.audit.title}
          testId="audit-entries"
          rows={entries.items}
          rowKey={(e) => `${e.tenant}/${e.seq}`}
          columns={[
            { key: 'seq', label: t.audit.seq, numeric: true, cell: (e) => e.seq },
            { key: 'at', label: t.audit.at, cell: (e) => cstTime(e.entry?.at) },
            { key: 'actor', label: t.audit.actor, cell: (e) => e.entry?.actor ?? '—' },
            { key: 'action', label: t.audit.action, cell: (e) => e.entry?.action ?? '—' },
            { key: 'target', label: t.audit.target, cell: (e) => e.entry?.target ?? '—' },
            { key: 'outcome', label: t.audit.outcome, cell: (e) => e.entry?.outcome ?? '—' },
          ]}
        />
      )}

      <ActionForm
        label={t.audit.export}
        submitLabel={t.audit.export}
        testId="export-form"
        action={async () => {
          const created = await api.post<CreatedExport>('/v1/staff/audit/exports', { tenant });
          const text = await api.text(created.href);
          const key = await api.get<LogKey>('/v1/audit/log-key');
          const verdict = verifyExport(new TextEncoder().encode(text), { publicKey: key.publicKey });
          if (exported) URL.revokeObjectURL(exported.url);
          setExported({ created, ok: verdict.ok, url: URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' })) });
          return `${t.audit.exported(created.manifest.entries, created.manifest.exportHash)} ${t.audit.exportVerdict(verdict.ok)}`;
        }}
      >
        {null}
      </ActionForm>
      {exported && (
        <a class="button" href={exported.url} download={`${exported.created.exportId}.jsonl`}>
          {t.audit.download}
        </a>
      )}
    </section>
  );
}

