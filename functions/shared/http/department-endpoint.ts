/**
 * The chain of endpoints that department systems call (DESIGN.md §7b): the same as a channel endpoint —
 * body limits, ZT-SM2 signature over the request (with `department="<id>"`), timestamp window, single-use
 * nonce, validation, problem+json, the call audited — with the department registry in place of the
 * channel directory.
 */
import type { Department, DepartmentDirectory } from '../../core/ports';
import { authenticateSigner, type SignatureCheckDeps } from './channel-auth';
import { signedEndpoint, type SignedEndpointDeps, type SignedEndpointOptions, type SignerKind } from './channel-endpoint';

export interface DepartmentEndpointDeps extends SignatureCheckDeps, SignedEndpointDeps {
  readonly departments: DepartmentDirectory;
}

const departmentSigner: SignerKind<Department, DepartmentEndpointDeps> = {
  param: 'department',
  authenticate: (event, deps) =>
    authenticateSigner(event, deps, {
      param: 'department',
      find: async (id) => deps.departments.get(id),
      publicKeyOf: (department) => department.publicKey,
      // Nonces of departments and of channels never share a scope, whatever their ids.
      nonceScope: (department) => `DEPT#${department.departmentId}`,
    }),
  describe: (department) => ({
    tenant: `department:${department.departmentId}`,
    actor: `department:${department.departmentId}`,
    scope: `DEPT#${department.departmentId}`,
    logKeys: { departmentId: department.departmentId },
  }),
};

export function departmentEndpoint<B = unknown, Q = undefined, P = undefined>(options: SignedEndpointOptions<Department, DepartmentEndpointDeps, B, Q, P>) {
  return signedEndpoint(departmentSigner, options);
}
