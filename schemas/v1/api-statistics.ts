/** API docs of the staff statistics endpoints (002 五(二)4, 三(一)6; issue 11); joined into `api` in api.ts. */
import type { z } from 'zod';
import type { ApiOperation } from './api';
import { codeList, staffProblems } from './api-problems';
import { channelStatisticsQuerySchema, channelStatisticsSchema, filingStatisticsSchema, statisticsQuerySchema } from './statistics';
import { STAFF_PERMISSIONS, type StaffEndpointName } from '../../functions/shared/http/staff-permissions';
import { MAX_STATISTICS_DAYS } from '../../functions/core/domain/statistics';

const roles = (endpoint: StaffEndpointName): string => `Roles: ${STAFF_PERMISSIONS[endpoint].roles.join(', ')}.`;
const RANGE_CODES = {
  RANGE_INVALID: '422: `to` is before `from`.',
  RANGE_TOO_LARGE: `422: more than ${MAX_STATISTICS_DAYS} days.`,
};

export const statisticsApi = {
  getFilingStatistics: {
    summary: 'Filings by district, time and business type',
    description: [
      `${roles('getFilingStatistics')} Clerks, reviewers, registrars and administrators: their own district (another is 403`,
      '`DISTRICT_FORBIDDEN`); auditors and credit officers: any district, or all of them without `district`.',
      'Counts of the CST days `from`–`to` per period (`granularity`), district and business type: submitted, accepted, refused (with',
      'out-of-scope and overdue-correction refusals), corrections asked and made, held for manual intake, refused at review, registered,',
      'certified, withdrawn, and the time from submission to certificate (sum and histogram). The statistics worker keeps them from',
      'every status change of the lifecycle as it happens, counting each once; they are read, never computed from the filings.',
      '`format=csv` answers the rows as `text/csv; charset=utf-8` (with a BOM, for spreadsheets) and `Content-Disposition: attachment`.',
      '',
      'Problem codes of this endpoint:',
      codeList({ ...RANGE_CODES, DISTRICT_FORBIDDEN: '403: a district other than your own.' }),
    ].join('\n'),
    auth: 'Bearer',
    query: statisticsQuerySchema,
    responses: { 200: { description: 'The figures (or CSV).', schema: filingStatisticsSchema }, ...staffProblems(400, 401, 403, 422, 500) },
  },
  getChannelStatistics: {
    summary: "Each channel's behaviour",
    description: [
      `${roles('getChannelStatistics')} City-wide.`,
      '002 三(一)6: per channel (a bank\'s branch, a developer\'s or agency\'s channel) over the CST days `from`–`to`: volume, outcomes and',
      'their rates (refusal, correction, overdue correction), out-of-scope refusals, signature-failure events, the score and grade now and',
      'the score over the range (from the credit ledger), and per institution type the anonymised distribution of the institutions\'',
      'rates (from 5 institutions). Optionally one institution type, institution or channel. `format=csv`: one row per channel.',
      '',
      'Problem codes of this endpoint:',
      codeList(RANGE_CODES),
    ].join('\n'),
    auth: 'Bearer',
    query: channelStatisticsQuerySchema,
    responses: { 200: { description: 'The channels (or CSV).', schema: channelStatisticsSchema }, ...staffProblems(400, 401, 403, 422, 500) },
  },
} as const satisfies Record<string, ApiOperation>;

export const statisticsResponseComponents: readonly (readonly [z.ZodType, string])[] = [
  [filingStatisticsSchema, 'FilingStatistics'],
  [channelStatisticsSchema, 'ChannelStatistics'],
];
