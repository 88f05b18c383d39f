/** The `{businessType}` path parameter of staff checklist endpoints. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { isBusinessType, type BusinessType } from '../../core/domain/business-types';
import { notFound } from '../../core/domain/errors';

/** The business type named by the path; anything else is 404 UNKNOWN_BUSINESS_TYPE (the text is not echoed). */
export function businessTypeParam(event: APIGatewayProxyEvent): BusinessType {
  const type = event.pathParameters?.businessType;
  if (!isBusinessType(type)) throw notFound('UNKNOWN_BUSINESS_TYPE', 'There is no business type of this name.');
  return type;
}
