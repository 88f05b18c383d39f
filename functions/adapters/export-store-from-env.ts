/**
 * Chooses the export store from configuration: the Object Lock bucket on AWS (`EXPORT_BUCKET`, set by the CDK
 * app on functions declared with `auditExports`), a directory of the data dir locally (`ZT_EXPORT_DIR`).
 */
import { EXPORT_BUCKET_ENV, EXPORT_DIR_ENV } from '../../infra/topology';
import type { ExportStore } from '../core/ports';
import { s3 } from './aws-clients';
import { LocalExportStore } from './local/export-store';
import { S3ExportStore } from './s3/export-store';


export function exportStoreFromEnv(): ExportStore {
  const bucket = process.env[EXPORT_BUCKET_ENV]?.trim();
  if (bucket) return new S3ExportStore(s3(), bucket);
  const dir = process.env[EXPORT_DIR_ENV]?.trim();
  if (dir) return new LocalExportStore(dir);
  throw new Error(`Set ${EXPORT_BUCKET_ENV} (AWS) or ${EXPORT_DIR_ENV} (local) for the audit export store`);
}
