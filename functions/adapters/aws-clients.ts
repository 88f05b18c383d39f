/**
 * AWS SDK v3 clients, built once per process (never per invocation). Endpoints come from the SDK's own
 * configuration — `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_SQS`, `AWS_ENDPOINT_URL_KMS`, `AWS_ENDPOINT_URL_S3`, `AWS_REGION` —
 * so pointing the same code at the local emulators, LocalStack or AWS is configuration alone.
 *
 * This is also where X-Ray sees the SDK: each client is instrumented once, here, by the Powertools
 * Tracer (a no-op outside Lambda), so every DynamoDB, SQS and KMS call is a subsegment of the invocation.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../shared/tracer';

let documentClient: DynamoDBDocumentClient | undefined;
let sqsClient: SQSClient | undefined;
let kmsClient: KMSClient | undefined;
let s3Client: S3Client | undefined;

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function sqs(): SQSClient {
  sqsClient ??= tracer.captureAWSv3Client(new SQSClient({}));
  return sqsClient;
}

export function kms(): KMSClient {
  kmsClient ??= tracer.captureAWSv3Client(new KMSClient({}));
  return kmsClient;
}

export function s3(): S3Client {
  s3Client ??= tracer.captureAWSv3Client(new S3Client({}));
  return s3Client;
}
