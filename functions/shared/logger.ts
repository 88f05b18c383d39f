/** The one structured logger of each function, built at module load. Never log personal data. */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zhitong' });

