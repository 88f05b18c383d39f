/**
 * The local runtime's per-invocation environment (infra/local/invocation-scope.ts): the department
 * registry (`DEPARTMENTS`, endpoints and public keys, DESIGN.md §7b) is a resource variable, seen only by
 * the functions declared `departments: true`, as the CDK app sets it only on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installInvocationScopes, resourceVariablesOf, runInvocation, type FunctionScope } from '../../../infra/local/invocation-scope';
import { DEPARTMENTS_ENV, functions, type FunctionDecl } from '../../../infra/topology';

const REGISTRY = '[]';
let saved: string | undefined;
beforeAll(() => {
  saved = process.env[DEPARTMENTS_ENV];
  process.env[DEPARTMENTS_ENV] = REGISTRY;
  installInvocationScopes();
});
afterAll(() => {
  if (saved === undefined) delete process.env[DEPARTMENTS_ENV];
  else process.env[DEPARTMENTS_ENV] = saved;
});

const seenBy = (name: keyof typeof functions): string | undefined =>
  runInvocation({ name, decl: functions[name] as FunctionDecl } satisfies FunctionScope, { awsRequestId: `req-${name}` } as never, () => process.env[DEPARTMENTS_ENV]);

describe('the DEPARTMENTS variable inside an invocation', () => {
  it('is passed through to the connectors and the results route', () => {
    expect(seenBy('taxConnector')).toBe(REGISTRY);
    expect(seenBy('tradingConnector')).toBe(REGISTRY);
    expect(seenBy('postDepartmentResult')).toBe(REGISTRY);
  });

  it('is hidden from every function not declared departments: true', () => {
    const others = (Object.keys(functions) as (keyof typeof functions)[]).filter((name) => (functions[name] as FunctionDecl).departments !== true);
    expect(others.length).toBeGreaterThan(0);
    for (const name of others) {
      expect(seenBy(name), name).toBeUndefined();
      expect(resourceVariablesOf(functions[name] as FunctionDecl).has(DEPARTMENTS_ENV)).toBe(false);
    }
  });

  it('is there outside any invocation (provisioning, seeding, tests)', () => {
    expect(process.env[DEPARTMENTS_ENV]).toBe(REGISTRY);
  });
});
