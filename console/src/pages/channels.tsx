/**
 * Channel behaviour (002 三(一)6): per institution and branch channel — volume, refusal, correction and
 * overdue rates, out-of-scope attempts, signature failures, the score over time against the thresholds —
 * and the anonymised distribution of the institutions of each type; a channel opens onto its ledger and the
 * filings behind its events. Figures: `GET /v1/staff/statistics/channels`, `GET /v1/staff/credit/channels/{id}`.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { InstitutionType } from '../../../functions/core/domain/business-types';
import type { ChannelStatistics } from '../../../schemas/v1/statistics';
import type { PageProps } from '../app';
import { Chart, preloadCharts, type ChartOption } from '../charts';
import { t } from '../messages.zh-CN';
import { CsvLink, Field, percent, Resource, Table, useResource } from '../ui';
import { ChannelDetail } from './channel-detail';
import { defaultRange, RangeForm, type Range } from './range';

type Row = ChannelStatistics['channels'][number];
const label = (row: Row): string => (row.branchName ? `${row.branchName}（${row.channelId}）` : row.channelId);

export function channelCharts(data: ChannelStatistics): { volume: ChartOption; rates: ChartOption; score: ChartOption; peers?: ChartOption } {
  const names = data.channels.map((c) => c.channelId);
  const volume: ChartOption = {
    legend: { top: 0 },
    grid: { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 },
    xAxis: { type: 'category', data: names, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { id: 'submitted', name: t.counters.submitted, type: 'bar', data: data.channels.map((c) => c.counts.submitted) },
      { id: 'refused', name: t.counters.refused, type: 'bar', data: data.channels.map((c) => c.counts.refused) },
      { id: 'correctionRequired', name: t.counters.correctionRequired, type: 'bar', data: data.channels.map((c) => c.counts.correctionRequired) },
      { id: 'outOfScope', name: t.counters.outOfScope, type: 'bar', data: data.channels.map((c) => c.counts.outOfScope) },
      { id: 'signatureFailureEvents', name: t.channels.signatureFailures, type: 'bar', data: data.channels.map((c) => c.signatureFailureEvents) },
    ],
  };
  const rates: ChartOption = {
    legend: { top: 0 },
    grid: { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 },
    xAxis: { type: 'category', data: names, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: (v: number) => `${Math.round(v * 100)}%` } },
    series: [
      { id: 'refusalRate', name: t.channels.refusalRate, type: 'bar', data: data.channels.map((c) => c.rates.refusalRate) },
      { id: 'correctionRate', name: t.channels.correctionRate, type: 'bar', data: data.channels.map((c) => c.rates.correctionRate) },
      { id: 'overdueRate', name: t.channels.overdueRate, type: 'bar', data: data.channels.map((c) => c.rates.overdueRate) },
    ],
  };
  const days = [...new Set(data.channels.flatMap((c) => c.scoreHistory.map((p) => p.day)))].sort();
  const score: ChartOption = {
    legend: { type: 'scroll', top: 0 },
    grid: { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', min: 0, max: data.thresholds.startScore },
    series: data.channels
      .filter((c) => c.scoreHistory.length > 0)
      .map((c, i) => ({
        id: `score:${c.channelId}`,
        name: c.channelId,
        type: 'line',
        connectNulls: true,
        data: days.map((day) => c.scoreHistory.find((p) => p.day === day)?.score ?? null),
        ...(i === 0
          ? {
              markLine: {
                symbol: 'none',
                data: [
                  { name: t.grades.WATCH, yAxis: data.thresholds.watchBelow },
                  { name: t.grades.SHUT_OFF, yAxis: data.thresholds.shutOffBelow },
                ],
              },
            }
          : {}),
      })),
  };
  const shown = data.peers.filter((p) => p.distribution !== undefined);
  const peers: ChartOption | undefined =
    shown.length === 0
      ? undefined
      : {
          legend: { top: 0 },
          grid: { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 },
          xAxis: { type: 'category', data: [t.channels.refusalRate, t.channels.correctionRate, t.channels.overdueRate] },
          yAxis: { type: 'value', min: 0, max: 1 },
          series: shown.map((p) => ({
            id: `peers:${p.institutionType}`,
            name: t.institutionTypes[p.institutionType],
            type: 'boxplot',
            data: (['refusalRate', 'correctionRate', 'overdueRate'] as const).map((k) => {
              const d = p.distribution![k];
              return [d.min, d.p25, d.median, d.p75, d.max];
            }),
          })),
        };
  return { volume, rates, score, ...(peers ? { peers } : {}) };
}

export function ChannelsPage({ api, can }: PageProps) {
  // The chart library loads while the page waits for its figures (a failure shows in each chart).
  useEffect(() => void preloadCharts().catch(() => undefined), []);
  const [range, setRange] = useState<Range>(defaultRange);
  const [institutionType, setInstitutionType] = useState<InstitutionType | ''>('');
  const [open, setOpen] = useState<string>();
  const query = { from: range.from, to: range.to, granularity: range.granularity, institutionType: institutionType || undefined };
  const stats = useResource(() => api.get<ChannelStatistics>('/v1/staff/statistics/channels', query), [range, institutionType]);
  const charts = useMemo(() => (stats.data ? channelCharts(stats.data) : undefined), [stats.data]);
  return (
    <section aria-labelledby="channels-title">
      <h2 id="channels-title">{t.channels.title}</h2>
      <p class="muted">{t.channels.intro}</p>
      <RangeForm value={range} onApply={setRange}>
        <Field label={t.range.institutionType}>
          {(id) => (
            <select id={id} name="institutionType" value={institutionType} onChange={(e) => setInstitutionType(e.currentTarget.value as InstitutionType | '')}>
              <option value="">{t.range.allInstitutionTypes}</option>
              {(Object.keys(t.institutionTypes) as InstitutionType[]).map((k) => (
                <option key={k} value={k}>
                  {t.institutionTypes[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </RangeForm>
      <CsvLink api={api} path="/v1/staff/statistics/channels" query={query} name="channels.csv" testId="channels" />
      <Resource resource={stats}>
        {(data) => (
          <>
            <p class="muted">
              {t.range.asOf(data.asOf)} · {t.channels.thresholds(data.thresholds.watchBelow, data.thresholds.shutOffBelow)}
            </p>
            <div class="charts">
              <figure>
                <figcaption>{t.channels.volumeChart}</figcaption>
                <Chart name="channel-volume" label={t.channels.volumeChart} option={charts!.volume} />
              </figure>
              <figure>
                <figcaption>{t.channels.ratesChart}</figcaption>
                <Chart name="channel-rates" label={t.channels.ratesChart} option={charts!.rates} />
              </figure>
              <figure>
                <figcaption>{t.channels.scoreChart}</figcaption>
                <Chart name="channel-score" label={t.channels.scoreChart} option={charts!.score} />
              </figure>
              <figure>
                <figcaption>{t.channels.peersTitle}</figcaption>
                {charts!.peers ? <Chart name="peer-distribution" label={t.channels.peersTitle} option={charts!.peers} /> : null}
                <ul class="peers">
                  {data.peers.map((p) => (
                    <li key={p.institutionType} data-peer={p.institutionType}>
                      {t.institutionTypes[p.institutionType]}：{t.channels.peersInstitutions(p.institutions)}
                      {p.withheld ? `，${t.channels.peersWithheld}` : `，${t.channels.median} ${t.channels.refusalRate} ${percent(p.distribution!.refusalRate.median)}`}
                    </li>
                  ))}
                </ul>
              </figure>
            </div>
            <Table
              caption={t.channels.table}
              testId="channels-table"
              rows={data.channels}
              rowKey={(r) => r.channelId}
              columns={[
                { key: 'channel', label: t.channels.channel, cell: (r) => label(r) },
                { key: 'institution', label: t.channels.institution, cell: (r) => `${r.institutionId}（${t.institutionTypes[r.institutionType]}）` },
                { key: 'submitted', label: t.channels.volume, numeric: true, cell: (r) => r.counts.submitted },
                { key: 'refusalRate', label: t.channels.refusalRate, numeric: true, cell: (r) => percent(r.rates.refusalRate) },
                { key: 'correctionRate', label: t.channels.correctionRate, numeric: true, cell: (r) => percent(r.rates.correctionRate) },
                { key: 'overdueRate', label: t.channels.overdueRate, numeric: true, cell: (r) => percent(r.rates.overdueRate) },
                { key: 'outOfScope', label: t.channels.outOfScope, numeric: true, cell: (r) => r.counts.outOfScope },
                { key: 'signatureFailures', label: t.channels.signatureFailures, numeric: true, cell: (r) => r.signatureFailureEvents },
                { key: 'score', label: t.channels.score, numeric: true, cell: (r) => r.score ?? '—' },
                { key: 'grade', label: t.channels.grade, cell: (r) => (r.grade ? <span class={`grade ${r.grade}`}>{t.grades[r.grade]}</span> : '—') },
                {
                  key: 'open',
                  label: t.channels.drillDown,
                  cell: (r) =>
                    can('getCreditChannel') ? (
                      <button type="button" onClick={() => setOpen(r.channelId)} aria-label={`${t.channels.drillDown} ${r.channelId}`}>
                        {t.channels.drillDown}
                      </button>
                    ) : null,
                },
              ]}
            />
            {open && <ChannelDetail api={api} can={can} onChanged={stats.reload} channelId={open} series={data.channels.find((c) => c.channelId === open)?.series ?? []} onClose={() => setOpen(undefined)} />}
          </>
        )}
      </Resource>
    </section>
  );
}
