/**
 * The data section of the yearly risk assessment (004 第二十五条), v1: counts only — of filings (their
 * parties' personal information is IMPORTANT data), of processing activities by class and action, of data
 * provided to departments, of incidents — and the classification table. No ids of people, no names.
 */
import { z } from 'zod';
import { INCIDENT_SEVERITIES, INCIDENT_STATUSES, INCIDENT_TYPE_NAMES } from '../../functions/core/domain/incident';
import { DATA_CLASSES } from '../../functions/core/domain/audit-log';

export const riskAssessmentQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2020).max(2100).meta({ description: 'The calendar year (China time) the section covers; the current year counts up to now.' }),
});

const count = z.int().min(0);
const counts = (keys: readonly string[]) => z.strictObject(Object.fromEntries(keys.map((k) => [k, count])) as Record<string, typeof count>);

export const riskAssessmentSchema = z.strictObject({
  year: z.int(),
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  complete: z.boolean().meta({ description: 'False when some entries of the year had expired (counted by retention class only).' }),
  importantData: z.strictObject({
    filingsByDistrictAndBusinessType: z.array(z.strictObject({ district: z.string(), businessType: z.string(), filings: count })),
    filingsWithPersonalData: count.meta({ description: 'Distinct filings processed: each holds its parties\' sealed names, ID numbers and phones (IMPORTANT).' }),
    auditEntries: count,
    auditEntriesByRetention: z.record(z.string(), count),
  }),
  processingActivities: z.array(
    z.strictObject({
      activityClass: z.string().meta({ description: 'COLLECTION, USE, PROVISION, DISCLOSURE, ACCESS, SECURITY or OTHER (数据处理活动).' }),
      action: z.string(),
      success: count,
      denied: count,
      error: count,
    }),
  ),
  dataProvided: z.array(z.strictObject({ departmentId: z.string(), departmentKind: z.string(), deliveries: count, failures: count })),
  incidents: z.strictObject({
    total: count,
    byType: counts(INCIDENT_TYPE_NAMES),
    bySeverity: counts(INCIDENT_SEVERITIES),
    byStatus: counts(INCIDENT_STATUSES),
    overdue: count,
  }),
  classification: z.array(
    z.strictObject({ table: z.string(), item: z.string(), recordClass: z.enum(DATA_CLASSES), fields: count, important: count, core: count }),
  ),
});
