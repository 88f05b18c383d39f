/** API docs of the channel's credit endpoints (DESIGN.md §4, §7); joined into `api` in api.ts. */
export const creditChannelApi = {} as const;
