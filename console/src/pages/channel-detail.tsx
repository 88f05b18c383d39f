/**
 * One channel behind the figures: its credit state and indicators, its ledger (each event with its source and
 * evidence — the filings and audit records behind it), its counts per period, its cases; and, for credit
 * officers, the actions on it.
 */
import type { z } from 'zod';
import type { creditChannelViewSchema } from '../../../schemas/v1/credit-staff';
import type { ChannelStatistics } from '../../../schemas/v1/statistics';
import type { ApiClient } from '../api';
import type { PageProps } from '../app';
import { t } from '../messages.zh-CN';
import { cstTime, Dialog, percent, Resource, Table, useResource } from '../ui';
import { CreditActions } from './credit-actions';

type CreditChannelView = z.output<typeof creditChannelViewSchema>;
type Series = ChannelStatistics['channels'][number]['series'];

export function ChannelDetail({ api, can, channelId, series, onClose, onChanged }: { api: ApiClient; can: PageProps['can']; channelId: string; series: Series; onClose: () => void; onChanged?: () => void }) {
  const view = useResource(() => api.get<CreditChannelView>(`/v1/staff/credit/channels/${encodeURIComponent(channelId)}`), [channelId]);
  return (
    <Dialog title={t.channels.detailTitle(channelId)} open onClose={onClose}>
      <Resource resource={view}>
        {(data) => (
          <div class="detail" data-testid="channel-detail">
            <p>
              <span class={`grade ${data.state.grade}`} data-testid="detail-grade">
                {t.grades[data.state.grade]}
              </span>{' '}
              {t.channels.score} <strong data-testid="detail-score">{data.state.score}</strong> · {t.credit.rulesVersion(data.state.rulesVersion)}
              {data.state.probationUntil && ` · ${t.credit.probationUntil(cstTime(data.state.probationUntil))}`}
              {data.institution.openCaseNo && ` · ${t.credit.institutionCase(data.institution.openCaseNo)}`}
            </p>
            <dl class="indicators">
              <dt>{t.channels.refusalRate}</dt>
              <dd>{percent(data.state.indicators.refusalRate)}</dd>
              <dt>{t.channels.correctionRate}</dt>
              <dd>{percent(data.state.indicators.correctionRate)}</dd>
              <dt>{t.channels.outOfScope}</dt>
              <dd>{data.state.indicators.outOfScopeAttempts}</dd>
            </dl>
            <Table
              caption={t.channels.ledger}
              testId="ledger-table"
              rows={data.ledger}
              rowKey={(e) => e.eventId}
              columns={[
                { key: 'at', label: t.credit.ledgerAt, cell: (e) => cstTime(e.at) },
                { key: 'kind', label: t.credit.ledgerKind, cell: (e) => t.ledgerKinds[e.kind] },
                { key: 'points', label: t.credit.ledgerPoints, numeric: true, cell: (e) => e.points },
                { key: 'source', label: t.credit.ledgerSource, cell: (e) => (e.source.type === 'AUTOMATIC' ? t.credit.sourceAutomatic(e.source.rulesVersion) : t.credit.sourceOfficer(e.source.staffId)) },
                {
                  key: 'evidence',
                  label: t.credit.ledgerEvidence,
                  cell: (e) => [...(e.evidence.filingIds ?? []), ...(e.evidence.auditIds ?? []), e.evidence.batchId, e.evidence.note].filter(Boolean).join('，') || '—',
                },
              ]}
            />
            <Table
              caption={t.channels.series}
              rows={series}
              rowKey={(s) => s.period}
              columns={[
                { key: 'period', label: t.statistics.period, cell: (s) => s.period },
                { key: 'submitted', label: t.counters.submitted, numeric: true, cell: (s) => s.counts.submitted },
                { key: 'accepted', label: t.counters.accepted, numeric: true, cell: (s) => s.counts.accepted },
                { key: 'refused', label: t.counters.refused, numeric: true, cell: (s) => s.counts.refused },
                { key: 'correctionRequired', label: t.counters.correctionRequired, numeric: true, cell: (s) => s.counts.correctionRequired },
                { key: 'certified', label: t.counters.certified, numeric: true, cell: (s) => s.counts.certified },
              ]}
            />
            {can('postShutoff') && (
              <CreditActions
                api={api}
                channelId={channelId}
                institutionId={data.state.institutionId}
                openCaseNo={data.state.openCaseNo ?? data.institution.openCaseNo}
                onDone={() => {
                  view.reload();
                  onChanged?.();
                }}
              />
            )}
          </div>
        )}
      </Resource>
    </Dialog>
  );
}
