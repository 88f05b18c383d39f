/**
 * JSON request bodies, checked the same way on every endpoint: size first (413), then content type
 * (415), then syntax (400). Nothing is stored for any of these. Shared by the channel and staff chains.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { badRequest, payloadTooLarge, unsupportedMediaType } from '../../core/domain/errors';
import { header, rawBody } from './request';

/** The raw body, refused when larger than `maxBodyBytes` or not sent as application/json. */
export function checkJsonBody(event: APIGatewayProxyEvent, maxBodyBytes: number): Buffer {
  const body = rawBody(event);
  if (body.length > maxBodyBytes) throw payloadTooLarge('PAYLOAD_TOO_LARGE', `The body exceeds ${maxBodyBytes} bytes.`);
  const contentType = (header(event, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== 'application/json') throw unsupportedMediaType('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  return body;
}

export function parseJsonBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('MALFORMED_JSON', 'The body is not valid JSON.');
  }
}
