/**
 * The statistics as CSV (002 五(二)4: staff take the figures into their own reports): UTF-8 with a BOM so
 * spreadsheets read the Chinese headers, CRLF line ends (RFC 4180), every field quoted when it needs to be,
 * and a field that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, CR) prefixed with `'`
 * (CSV injection). The figures are counts and codes; nothing personal is in them.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { STATISTIC_COUNTERS, PROCESSING_BUCKETS } from '../../core/domain/statistics';
import type { ChannelStatistics, FilingStatistics } from '../../../schemas/v1/statistics';

const BOM = '\uFEFF';

export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csv = (rows: readonly (readonly (string | number | undefined)[])[]): string => BOM + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';

export function filingStatisticsCsv(stats: FilingStatistics): string {
  return csv([
    ['period', 'district', 'businessType', ...STATISTIC_COUNTERS, ...PROCESSING_BUCKETS.map((b) => `processing_${b}`)],
    ...stats.rows.map((r) => [r.period, r.district, r.businessType, ...STATISTIC_COUNTERS.map((c) => r.counts[c]), ...PROCESSING_BUCKETS.map((b) => r.processing[b])]),
  ]);
}

export function channelStatisticsCsv(stats: ChannelStatistics): string {
  return csv([
    ['channelId', 'institutionId', 'institutionType', 'branchName', 'score', 'grade', 'refusalRate', 'correctionRate', 'overdueRate', 'signatureFailureEvents', ...STATISTIC_COUNTERS],
    ...stats.channels.map((c) => [
      c.channelId,
      c.institutionId,
      c.institutionType,
      c.branchName,
      c.score,
      c.grade,
      c.rates.refusalRate,
      c.rates.correctionRate,
      c.rates.overdueRate,
      c.signatureFailureEvents,
      ...STATISTIC_COUNTERS.map((k) => c.counts[k]),
    ]),
  ]);
}

/**
 * A 200 whose JSON body is one string (the CSV the endpoint chose to answer) is served as `text/csv`, as an
 * attachment named `filename`; a JSON answer passes unchanged.
 */
export const csvWhenText = (filename: string) => (result: APIGatewayProxyResult): APIGatewayProxyResult => {
  if (result.statusCode !== 200) return result;
  const body: unknown = JSON.parse(result.body);
  if (typeof body !== 'string') return result;
  return { ...result, headers: { ...result.headers, 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"` }, body };
};
