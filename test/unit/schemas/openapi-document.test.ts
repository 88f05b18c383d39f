/**
 * The generated /openapi.json is a valid OpenAPI 3.1 document: checked against the 3.1 meta-schema
 * (the one the OpenAPI Initiative publishes, as shipped by @seriousme/openapi-schema-validator).
 */
import { describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { buildOpenApiDocument } from '../../../schemas/openapi';

describe('the OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(buildOpenApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('the validator catches a broken document (the test can fail)', async () => {
    const broken = structuredClone(buildOpenApiDocument()) as { paths: Record<string, Record<string, { responses?: unknown }>> };
    const first = Object.values(broken.paths)[0]!;
    Object.values(first)[0]!.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes every answer in words of its own, never the placeholder "Problem."', () => {
    const document = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { description: string }> }>> };
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          expect(response.description, `${method.toUpperCase()} ${path} ${status}`).not.toMatch(/^Problem\.?$/);
        }
      }
    }
  });
});
