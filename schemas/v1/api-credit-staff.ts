/** API docs of the credit officers' endpoints and the intake review (DESIGN.md §4); joined into `api` in api.ts. */
export const creditStaffApi = {} as const;
