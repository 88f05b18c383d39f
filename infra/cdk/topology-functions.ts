/**
 * One Lambda function per function of `infra/topology.ts`, wired exactly as declared: each table with its
 * access, each queue it sends to, the keys, the export bucket, the dead-letter queues and the department
 * registry it names. Shared by the two stacks that hold functions: the API stack (routed functions,
 * stateless-stack.ts) and the workers stack (queue workers and scheduled functions, workers-stack.ts).
 */
import type { StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { functions as functionDecls, type Access, type FunctionDecl, type FunctionName, type TableName } from '../topology';
import { auditExportBucketName, type StatefulResources } from './stateful-stack';
import { ZtFunction } from './zt-function';

/** The functions the CDK app deploys: all but those the local runtime alone serves (`localOnly`). */
export type CloudFunctionName = {
  [K in FunctionName]: (typeof functionDecls)[K] extends { readonly localOnly: true } ? never : K;
}[FunctionName];

export const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

/** `Object.entries` that keeps the topology's key type. */
export const entriesOf = <K extends string, V>(record: Readonly<Partial<Record<K, V>>>): [K, V][] =>
  (Object.entries(record) as [K, V | undefined][]).filter((entry): entry is [K, V] => entry[1] !== undefined);

/** The deployed functions a predicate picks, in topology order. */
export function cloudFunctions(pick: (decl: FunctionDecl) => boolean): [CloudFunctionName, FunctionDecl][] {
  return entriesOf<FunctionName, FunctionDecl>(functionDecls).filter(
    (entry): entry is [CloudFunctionName, FunctionDecl] => entry[1].localOnly !== true && pick(entry[1]),
  );
}

/** Routed functions go to the API stack; everything else (queue workers, schedules) to the workers stack. */
export const isRouted = (decl: FunctionDecl): boolean => decl.route !== undefined;

/** What a stack holding topology functions takes (the API stack, the workers stack). */
export interface FunctionStackProps extends StackProps {
  readonly stage: string;
  /** Repository root: function entries in the topology are relative to it. */
  readonly projectRoot: string;
  readonly stateful: StatefulResources;
  /** Powertools log level of every function (default INFO). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The department registry as JSON (DESIGN.md §7b), for the functions declared `departments: true`. */
  readonly departments: string;
}

export interface FunctionWiring {
  readonly stage: string;
  readonly projectRoot: string;
  readonly stateful: StatefulResources;
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** The department registry as JSON (DESIGN.md §7b). */
  readonly departments: string;
  /** The results URL the connectors' requests name as `replyTo`; asked only for queue workers. */
  readonly resultsUrl: () => string;
}

export function topologyFunction(scope: Construct, name: CloudFunctionName, decl: FunctionDecl, wiring: FunctionWiring): ZtFunction {
  const { stateful } = wiring;
  const fn = new ZtFunction(scope, pascalCase(name), {
    entry: `${wiring.projectRoot}/${decl.entry}`,
    projectRoot: wiring.projectRoot,
    description: decl.description,
    timeoutSeconds: decl.timeoutSeconds,
    memoryMb: decl.memoryMb,
    logLevel: wiring.logLevel,
  });
  // Least privilege, exactly as declared: each table with its access, each queue it sends to.
  for (const [table, access] of entriesOf<TableName, Access>(decl.tables)) {
    fn.bindTable(table, stateful.tables[table], access);
  }
  for (const queue of decl.sends ?? []) fn.bindQueue(queue, stateful.queues[queue]);
  if (decl.usesPiiKey === true) fn.bindPiiKey(stateful.piiKey, decl.tables.keys);
  fn.bindPlatformKey(decl, stateful.platformSigningKey);
  fn.bindLogKey(decl, stateful.logSigningKey);
  fn.bindAuditExports(decl, auditExportBucketName(wiring.stage));
  fn.bindDeadLetterQueues(decl, stateful.deadLetterQueues);
  // Only the connectors (queue workers) name the results URL: a routed function referring to its own
  // API's URL would make the API's deployment depend on itself.
  fn.bindDepartments(decl, wiring.departments, decl.source !== undefined && decl.departments === true ? wiring.resultsUrl() : undefined);
  // Staff functions (those reading the staff table) verify staff access tokens against the user pool.
  if (decl.tables.staff !== undefined) stateful.staffIdentity.configure(fn);
  return fn;
}
