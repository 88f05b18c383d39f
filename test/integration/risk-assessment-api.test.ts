/**
 * GET /v1/staff/risk-assessment (004 第二十五条) through the real handler on the emulators: audit entries
 * recorded through the audit port in a district's log and in `security`, an incident in the security table;
 * the section counts them, city-wide, for ADMIN and AUDITOR only; hostile queries are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { auditLogFromEnv } from '../../functions/adapters/sqs/audit-queue';
import { drainAuditQueue } from '../support/audit-records';
import { dynamoDocumentClient } from '../../functions/adapters/aws-clients';
import { tableEnvVar } from '../../infra/topology';
import { registerRepositoryFromEnv } from '../../functions/adapters/dynamodb/register-repository';
import { incidentDesk } from '../../functions/core/use-cases/incidents';
import { incidentPorts } from '../../functions/shared/incident-deps';
import { riskAssessmentSchema } from '../../schemas/v1/risk-assessment';
import { staffRequest } from '../support/credit-staff-events';
import { lambdaContext } from '../support/fixtures';
import { DISTRICTS, startStaffWorld, type StaffWorld } from '../support/staff-world';

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

let world: StaffWorld;
let handler: ApiHandler;
const year = String(new Date().getUTCFullYear());
const get = async (role: 'ADMIN' | 'AUDITOR' | 'CLERK' | 'REGISTRAR', query: Record<string, string>, district: string = DISTRICTS.own) =>
  handler(staffRequest('getRiskAssessment', { token: await world.tokenFor(world.account(role, district)), query }), lambdaContext('getRiskAssessment'));
const outcome = (r: APIGatewayProxyResult) => `${r.statusCode} ${String((JSON.parse(r.body) as { code?: string }).code ?? 'OK')}`;

beforeAll(async () => {
  world = await startStaffWorld('zt-risk');
  handler = (await import('../../functions/handlers/get-risk-assessment')).handler as unknown as ApiHandler;
  // The register lists the districts whose logs are read (the district list item, as seeding writes it).
  await dynamoDocumentClient().send(new PutCommand({ TableName: process.env[tableEnvVar('register')]!, Item: { pk: 'DISTRICTS', sk: DISTRICTS.own } }));
  expect(await registerRepositoryFromEnv().listDistricts()).toContain(DISTRICTS.own);
  const audit = auditLogFromEnv();
  const at = new Date(Date.now() - 60_000).toISOString();
  const subject = { filingId: 'F98331C3757F66A9C26A87E9B', district: DISTRICTS.own, businessType: 'MORTGAGE_CREATE' };
  await audit.record({ id: 'risk:1', at, tenant: DISTRICTS.own, actor: 'staff:r', action: 'REVIEW_APPROVED', outcome: 'SUCCESS', subject });
  await audit.record({ id: 'risk:2', at, tenant: DISTRICTS.own, actor: 'worker:tax', action: 'DATA_PROVIDED_TO_DEPARTMENT', outcome: 'SUCCESS', retention: 'DATA_PROVIDED', subject, detail: { departmentId: 'tax-1', departmentKind: 'TAX' } });
  await incidentDesk(await incidentPorts()).open({ type: 'SYSTEM_ANOMALY', severity: 'HIGH', district: 'city', summary: 'DLQ', source: { kind: 'ALARM', alarm: 'DLQ:credit' }, detectedAt: at, dedupeKey: 'risk-test' });
  await drainAuditQueue();
});
afterAll(async () => world.stop());

describe('GET /v1/staff/risk-assessment', () => {
  it('answers the data section city-wide to administrators and auditors of any district', async () => {
    for (const [role, district] of [['AUDITOR', DISTRICTS.own], ['ADMIN', DISTRICTS.other]] as const) {
      const response = await get(role, { year }, district);
      expect(outcome(response)).toBe('200 OK');
      const section = riskAssessmentSchema.parse(JSON.parse(response.body));
      // Filings by district and business type come from the entries' `subject`.
      expect(section.importantData.filingsByDistrictAndBusinessType).toContainEqual({ district: DISTRICTS.own, businessType: 'MORTGAGE_CREATE', filings: 1 });
      expect(section.processingActivities).toContainEqual({ activityClass: 'USE', action: 'REVIEW_APPROVED', success: 1, denied: 0, error: 0 });
      expect(section.importantData.auditEntriesByRetention.DATA_PROVIDED).toBeGreaterThanOrEqual(1);
      expect(section.dataProvided).toContainEqual({ departmentId: 'tax-1', departmentKind: 'TAX', deliveries: 1, failures: 0 });
      expect(section.incidents.byType.SYSTEM_ANOMALY).toBeGreaterThanOrEqual(1);
      // The security log holds the incident's opening.
      expect(section.processingActivities.find((a) => a.action === 'INCIDENT_OPENED')?.success).toBeGreaterThanOrEqual(1);
      expect(section.classification.length).toBeGreaterThan(10);
      expect(response.body).not.toContain('F98331C3757F66A9C26A87E9B');
    }
  });

  it.each([
    ['CLERK', { year }, '403 ROLE_FORBIDDEN'],
    ['REGISTRAR', { year }, '403 ROLE_FORBIDDEN'],
    ['ADMIN', {}, '400'],
    ['ADMIN', { year: 'last' }, '400'],
    ['ADMIN', { year: '1999' }, '400'],
    ['ADMIN', { year: '2026.5' }, '400'],
    ['ADMIN', { year, district: DISTRICTS.other }, '400'],
    ['ADMIN', { year: '2099' }, '422 YEAR_IN_FUTURE'],
  ] as const)('%s with %j → %s', async (role, query, expected) => {
    expect(outcome(await get(role, query))).toMatch(new RegExp(`^${expected}`));
  });
});
