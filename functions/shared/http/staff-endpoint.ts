/**
 * The middleware chain every staff endpoint shares (the staff counterpart of channel-endpoint.ts):
 * structured logging → problem+json error mapping → audit of every call → body limits and content
 * type → `Authorization: Bearer <jwt>` verified → the account loaded from the staff table on EVERY
 * request (a deactivation or a role change acts on the very next request) → the role allowed for the
 * endpoint (staff-permissions.ts) → JSON syntax and the endpoint's `path`, `query` and `body` schemas
 * (request-validation.ts) → the endpoint's use case, which enforces district tenancy.
 *
 * Every call of an authenticated, non-locked account — allowed or refused — is then told to the insider-misuse
 * detector (endpoint, outcome, and the filing and people the use case reported through `observe`): a rule
 * that fires locks the account; when the call that made it fire is a read or an unmasking, it is itself
 * refused 403 STAFF_ACCOUNT_LOCKED — its answer (an unmasking's plaintext, a worklist page) is withheld; a
 * write already performed keeps its answer, and a refused call its refusal. A detector failure is logged
 * and counted (metric `MisuseDetectorFailed`), never turned into a failure of the call it observed — but
 * if the account is LOCKED after it (the lock comes first), the answer is withheld all the same.
 *
 * Audit records name the tenant (the staff member's district) and the actor (`staff:<id>`), allowed or
 * denied alike (002 五(二)4); refusals outside one's district are the raw material of the insider-misuse
 * detector (004 第二十五条). Never audited or logged: tokens, passwords, names.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import { forbidden, unauthenticated } from '../../core/domain/errors';
import { ZtError } from '../../core/domain/errors';
import { isNameRefusal } from '../../core/domain/free-text';
import type { FilingObservation } from '../../core/domain/misuse';
import { assertActive, assertRole, type StaffAccount } from '../../core/domain/staff';
import type { MisuseDetector } from '../../core/use-cases/misuse-detector';
import type { AuditLog, StaffDirectory, StaffTokenVerifier } from '../../core/ports';
import { logger } from '../logger';
import { checkJsonBody, parseJsonBody } from './json-body';
import { jsonResponse } from './problem';
import { problems } from './problems';
import { callAuditing, type AuditedContext, type CallRecord, type DenialCounter } from './call-audit';
import { header } from './request';
import { flushMetricsPerInvocation, metrics } from '../metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { validateRequest, type RequestSchemas, type ValidatedParts } from './request-validation';
import { STAFF_PERMISSIONS, type StaffEndpointName } from './staff-permissions';

export interface StaffEndpointDeps {
  readonly staff: StaffDirectory;
  readonly tokens: StaffTokenVerifier;
  readonly audit: AuditLog;
  /** Counts denied calls without a valid token (call-audit.ts). */
  readonly denials: DenialCounter;
  /** The insider-misuse detector every authenticated call is told about; absent: none (unit tests of the chain only). */
  readonly misuse?: MisuseDetector;
  readonly clock?: { now(): Date };
}

export interface StaffEndpointRequest<B = unknown, Q = undefined, P = undefined> extends ValidatedParts<B, Q, P> {
  readonly event: APIGatewayProxyEvent;
  /** The caller's account, as read from the staff table for this very request. */
  readonly staff: StaffAccount;
  /** Names what the call acts on (ids or a district, never personal data) in its audit record. */
  target(target: string): void;
  /** Tells the misuse detector which filing (and which people, by blind index) the call read. */
  observe(observation: FilingObservation): void;
}

export interface EndpointResult {
  readonly statusCode: number;
  readonly body: unknown;
}

export interface StaffEndpointOptions<B = unknown, Q = undefined, P = undefined> extends RequestSchemas<B, Q, P> {
  /** The endpoint's entry in STAFF_PERMISSIONS: its allowed roles come from there and nowhere else. */
  readonly endpoint: StaffEndpointName;
  /** Name used in logs and in the audit action, e.g. `LIST_STAFF_FILINGS`. */
  readonly action: string;
  /** Endpoints with a body take JSON up to this many bytes. */
  readonly maxBodyBytes?: number;
  /** Dependencies, built lazily once per process. */
  readonly deps: () => Promise<StaffEndpointDeps>;
  readonly run: (request: StaffEndpointRequest<B, Q, P>) => Promise<EndpointResult>;
}

/** Who a call is known to come from, as the audit record will say. */
type StaffActor = { readonly staffId: string; readonly district?: string };

type StaffContext = AuditedContext<StaffActor>;


/** RFC 6750 b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

function bearerToken(event: APIGatewayProxyEvent): string {
  const authorization = header(event, 'authorization');
  if (authorization === undefined) throw unauthenticated('STAFF_TOKEN_MISSING', 'Send the staff access token as `Authorization: Bearer <token>`.');
  const match = BEARER.exec(authorization.trim());
  if (!match) throw unauthenticated('STAFF_TOKEN_INVALID', 'The Authorization header is not `Bearer <token>`.');
  return match[1]!;
}

interface ChainOptions<D extends { readonly audit: AuditLog; readonly denials?: DenialCounter }> {
  readonly action: string;
  readonly maxBodyBytes?: number;
  readonly deps: () => Promise<D>;
  /** 401 answers carry `WWW-Authenticate: Bearer` (RFC 6750). */
  readonly bearer: boolean;
  readonly handle: (event: APIGatewayProxyEvent, deps: D, call: CallRecord<StaffActor>, body: Buffer | undefined) => Promise<EndpointResult>;
}

/** Logging, problem+json and the audit of every call, around `handle`. */
function auditedChain<D extends { readonly audit: AuditLog; readonly denials?: DenialCounter }>(options: ChainOptions<D>) {
  const auditing = callAuditing<StaffActor, StaffContext>(options.action, (call) => ({
    tenant: call.actor?.district ?? 'unauthenticated',
    actor: call.actor ? `staff:${call.actor.staffId}` : 'anonymous',
  }));

  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, StaffContext>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(problems<StaffContext>({ bearer: options.bearer }))
    .use(auditing)
    .use(flushMetricsPerInvocation())
    .handler(async (event, context) => {
      const deps = await options.deps();
      context.call.audit = deps.audit;
      context.call.denials = deps.denials;
      const body = options.maxBodyBytes === undefined ? undefined : checkJsonBody(event, options.maxBodyBytes);
      const result = await options.handle(event, deps, context.call, body);
      return jsonResponse(result.statusCode, result.body);
    });
}

/**
 * Establishes the caller: a valid token of the configured issuer, naming an account that exists, is
 * active, and has a role the endpoint allows. The account is read on every request, never cached.
 */
async function authenticateStaff(event: APIGatewayProxyEvent, deps: StaffEndpointDeps, endpoint: StaffEndpointName, call: CallRecord<StaffActor>): Promise<StaffAccount> {
  const { staffId } = await deps.tokens.verify(bearerToken(event));
  call.actor = { staffId };
  const staff = await deps.staff.get(staffId);
  // A validly signed token for an account that is gone (deleted, or never provisioned here).
  if (!staff) throw unauthenticated('STAFF_TOKEN_INVALID', 'No staff account matches this token.');
  call.actor = { staffId, district: staff.district };
  call.authenticated = true;
  logger.appendKeys({ staffId, district: staff.district });
  assertActive(staff);
  return staff;
}

/** Tells the detector about one call; answers whether a rule fired. A failure is logged (its name only) and never fails the call. */
async function tellDetector(deps: StaffEndpointDeps, staff: StaffAccount, endpoint: StaffEndpointName, outcome: { statusCode: number; code?: string }, observation: FilingObservation): Promise<boolean> {
  if (!deps.misuse) return false;
  try {
    const alerts = await deps.misuse.observe({
      staffId: staff.staffId,
      district: staff.district,
      endpoint,
      at: (deps.clock ?? { now: () => new Date() }).now(),
      ...outcome,
      ...observation,
      ...(staff.lastUnlockedAt === undefined ? {} : { countingSince: staff.lastUnlockedAt }),
    });
    return alerts.length > 0;
  } catch (error) {
    logger.error('Misuse detector failed', { errorName: error instanceof Error ? error.name : 'unknown' });
    metrics.addMetric('MisuseDetectorFailed', MetricUnit.Count, 1);
    // It may have failed after locking (the lock comes first): the account as it now is decides.
    const now = await deps.staff.get(staff.staffId).catch(() => undefined);
    return now?.status === 'LOCKED';
  }
}

/**
 * Whether a call's answer is withheld when the detector locks the account on it: a read (GET) or an
 * unmasking, whose answer is the data itself. A write the use case has performed keeps its answer (a 403
 * would say it was not done); the account is refused from its next request on.
 */
const answerIsTheData = (event: APIGatewayProxyEvent, observation: FilingObservation): boolean => event.httpMethod === 'GET' || observation.unmasked === true;

/** A staff endpoint: bearer-authenticated, role-checked against STAFF_PERMISSIONS, audited. */
export function staffEndpoint<B = unknown, Q = undefined, P = undefined>(options: StaffEndpointOptions<B, Q, P>) {
  return auditedChain({
    action: options.action,
    maxBodyBytes: options.maxBodyBytes,
    deps: options.deps,
    bearer: true,
    handle: async (event, deps, call, body) => {
      const staff = await authenticateStaff(event, deps, options.endpoint, call);
      let observation: FilingObservation = {};
      let result: EndpointResult;
      try {
        assertRole(staff, STAFF_PERMISSIONS[options.endpoint].roles);
        const parts = validateRequest(options, event, body === undefined ? undefined : parseJsonBody(body));
        result = await options.run({
          event,
          staff,
          ...parts,
          target: (target) => {
            call.target = target;
          },
          observe: (seen) => {
            observation = { ...observation, ...seen };
          },
        });
      } catch (error) {
        if (isNameRefusal(error)) observation = { ...observation, unmasked: true };
        await tellDetector(deps, staff, options.endpoint, error instanceof ZtError ? { statusCode: error.status, code: error.code } : { statusCode: 500, code: 'INTERNAL_ERROR' }, observation);
        throw error;
      }
      if ((await tellDetector(deps, staff, options.endpoint, { statusCode: result.statusCode }, observation)) && answerIsTheData(event, observation)) {
        // The detector locked the account on this very call: its answer (data read or unmasked) is withheld.
        throw forbidden('STAFF_ACCOUNT_LOCKED', 'This staff account is locked pending review by an administrator of its district.');
      }
      return result;
    },
  });
}

export interface SignInRequest<D, B> {
  readonly event: APIGatewayProxyEvent;
  readonly body: B;
  readonly deps: D;
  /** Records who signed in (or tried with the right password), so the audit names them. */
  identify(staff: Pick<StaffAccount, 'staffId' | 'district'>): void;
}

/**
 * The sign-in endpoint of the local token issuer: no bearer token (it is where tokens come from),
 * but the same body checks, problem+json and audit. `maxBodyBytes` and `body` are required: sign-in takes a body.
 */
export function staffSignInEndpoint<D extends { readonly audit: AuditLog; readonly denials?: DenialCounter }, B>(options: {
  readonly action: string;
  readonly maxBodyBytes: number;
  readonly body: z.ZodType<B>;
  readonly deps: () => Promise<D>;
  readonly run: (request: SignInRequest<D, B>) => Promise<EndpointResult>;
}) {
  return auditedChain({
    action: options.action,
    maxBodyBytes: options.maxBodyBytes,
    deps: options.deps,
    bearer: false,
    handle: async (event, deps, call, body) =>
      options.run({
        event,
        deps,
        body: validateRequest({ body: options.body }, event, parseJsonBody(body ?? Buffer.alloc(0))).body,
        identify: (staff) => {
          call.actor = { staffId: staff.staffId, district: staff.district };
          call.authenticated = true;
        },
      }),
  });
}
