/**
 * Filings by district, time and business type (002 五(二)4: 图、表、文相结合, at a glance): the trend per
 * period, the split by business type and by district, processing time from submission to certificate, and the
 * table of every row; CSV export. Figures: `GET /v1/staff/statistics/filings`.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { BusinessType } from '../../../functions/core/domain/business-types';
import { PROCESSING_BUCKETS } from '../../../functions/core/domain/statistics';
import type { FilingStatistics } from '../../../schemas/v1/statistics';
import type { PageProps } from '../app';
import { Chart, preloadCharts, type ChartOption } from '../charts';
import { t } from '../messages.zh-CN';
import { CsvLink, Field, percent, Resource, Table, useResource } from '../ui';
import { defaultRange, RangeForm, type Range } from './range';

const TREND = ['submitted', 'accepted', 'refused', 'correctionRequired', 'registered', 'certified'] as const;

export function statisticsCharts(data: FilingStatistics): { trend: ChartOption; byType: ChartOption; byDistrict: ChartOption; processing: ChartOption } {
  const perPeriod = new Map(data.periods.map((p) => [p, Object.fromEntries(TREND.map((c) => [c, 0])) as Record<(typeof TREND)[number], number>]));
  for (const row of data.rows) for (const c of TREND) perPeriod.get(row.period)![c] += row.counts[c];
  const grid = { containLabel: true, top: 40, left: 8, right: 24, bottom: 8 };
  return {
    trend: {
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: data.periods },
      yAxis: { type: 'value', minInterval: 1 },
      series: TREND.map((c) => ({ id: c, name: t.counters[c], type: 'line', data: data.periods.map((p) => perPeriod.get(p)![c]) })),
    },
    byType: {
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: data.totals.byBusinessType.map((b) => t.businessTypes[b.businessType]), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: (['submitted', 'accepted', 'refused', 'certified'] as const).map((c) => ({ id: c, name: t.counters[c], type: 'bar', data: data.totals.byBusinessType.map((b) => b.counts[c]) })),
    },
    byDistrict: {
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: data.totals.byDistrict.map((d) => d.district) },
      yAxis: { type: 'value', minInterval: 1 },
      series: (['submitted', 'accepted', 'refused', 'certified'] as const).map((c) => ({ id: c, name: t.counters[c], type: 'bar', data: data.totals.byDistrict.map((d) => d.counts[c]) })),
    },
    processing: {
      grid,
      xAxis: { type: 'category', data: PROCESSING_BUCKETS.map((b) => t.buckets[b]) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ id: 'certified', name: t.counters.certified, type: 'bar', data: PROCESSING_BUCKETS.map((b) => data.totals.processing[b]) }],
    },
  };
}

export function StatisticsPage({ api, session }: PageProps) {
  // The chart library loads while the page waits for its figures (a failure shows in each chart).
  useEffect(() => void preloadCharts().catch(() => undefined), []);
  const [range, setRange] = useState<Range>(defaultRange);
  const [businessType, setBusinessType] = useState<BusinessType | ''>('');
  const query = { from: range.from, to: range.to, granularity: range.granularity, businessType: businessType || undefined };
  const stats = useResource(() => api.get<FilingStatistics>('/v1/staff/statistics/filings', query), [range, businessType]);
  const charts = useMemo(() => (stats.data ? statisticsCharts(stats.data) : undefined), [stats.data]);
  return (
    <section aria-labelledby="statistics-title">
      <h2 id="statistics-title">{t.statistics.title}</h2>
      <p class="muted">{t.statistics.intro}</p>
      <RangeForm value={range} onApply={setRange}>
        <Field label={t.range.businessType}>
          {(id) => (
            <select id={id} name="businessType" value={businessType} onChange={(e) => setBusinessType(e.currentTarget.value as BusinessType | '')}>
              <option value="">{t.range.allBusinessTypes}</option>
              {(Object.keys(t.businessTypes) as BusinessType[]).map((k) => (
                <option key={k} value={k}>
                  {t.businessTypes[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </RangeForm>
      <CsvLink api={api} path="/v1/staff/statistics/filings" query={query} name={`filings-${session.self.district}.csv`} testId="filings" />
      <Resource resource={stats}>
        {(data) => (
          <>
            <p class="muted" data-testid="statistics-summary">
              {t.range.asOf(data.asOf)} · {t.counters.submitted} {data.totals.counts.submitted} · {t.counters.accepted} {data.totals.counts.accepted} · {t.counters.refused} {data.totals.counts.refused}（
              {percent(data.totals.rates.refusalRate)}） · {t.counters.certified} {data.totals.counts.certified}
              {data.totals.rates.meanHoursToCertificate !== undefined && ` · ${t.statistics.meanHours} ${data.totals.rates.meanHoursToCertificate.toFixed(1)}`}
            </p>
            <div class="charts">
              <figure>
                <figcaption>{t.statistics.trendChart}</figcaption>
                <Chart name="filings-trend" label={t.statistics.trendChart} option={charts!.trend} />
              </figure>
              <figure>
                <figcaption>{t.statistics.byTypeChart}</figcaption>
                <Chart name="filings-by-type" label={t.statistics.byTypeChart} option={charts!.byType} />
              </figure>
              <figure>
                <figcaption>{t.statistics.byDistrictChart}</figcaption>
                <Chart name="filings-by-district" label={t.statistics.byDistrictChart} option={charts!.byDistrict} />
              </figure>
              <figure>
                <figcaption>{t.statistics.processingChart}</figcaption>
                <Chart name="processing-time" label={t.statistics.processingChart} option={charts!.processing} />
              </figure>
            </div>
            <Table
              caption={t.statistics.table}
              testId="statistics-table"
              rows={data.rows}
              rowKey={(r) => `${r.period}/${r.district}/${r.businessType}`}
              columns={[
                { key: 'period', label: t.statistics.period, cell: (r) => r.period },
                { key: 'district', label: t.range.district, cell: (r) => r.district },
                { key: 'businessType', label: t.range.businessType, cell: (r) => t.businessTypes[r.businessType] },
                ...(['submitted', 'accepted', 'refused', 'correctionRequired', 'intakeReview', 'reviewRefused', 'registered', 'certified', 'withdrawn'] as const).map((c) => ({
                  key: c,
                  label: t.counters[c],
                  numeric: true,
                  cell: (r: FilingStatistics['rows'][number]) => r.counts[c],
                })),
                { key: 'meanHours', label: t.statistics.meanHours, numeric: true, cell: (r) => (r.counts.certified > 0 ? (r.counts.certifiedSeconds / r.counts.certified / 3600).toFixed(1) : '—') },
              ]}
            />
          </>
        )}
      </Resource>
    </section>
  );
}
