/**
 * The one X-Ray tracer of each function (the stack turns active tracing on: ZtFunction). It instruments
 * the AWS SDK clients where they are built (functions/adapters/aws-clients.ts), so every DynamoDB, SQS
 * and KMS call is a subsegment. Off outside Lambda (no `AWS_EXECUTION_ENV`): locally it changes nothing.
 * Responses are not captured as metadata: they may hold sealed personal data.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';

export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zhitong', captureHTTPsRequests: true });
