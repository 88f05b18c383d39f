/**
 * The staff API as the console calls it: bearer token, JSON in and out, problem+json errors turned into
 * `ApiError` with the platform's code. A 401 signs the session out (the token expired or was revoked).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${status} ${code}`);
  }
}

export interface ApiClient {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  /** The raw text (CSV exports, JSON Lines). */
  text(path: string, query?: Record<string, string | number | undefined>): Promise<string>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  /** `path` + query, for links and for tests. */
  url(path: string, query?: Record<string, string | number | undefined>): string;
}

export function queryString(query: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function apiClient(base: string, token: () => string | undefined, onUnauthorised: () => void): ApiClient {
  const url = (path: string, query?: Record<string, string | number | undefined>) => `${base}${path}${queryString(query)}`;
  async function send(method: string, path: string, query: Record<string, string | number | undefined> | undefined, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/csv, application/x-ndjson' };
    const bearer = token();
    if (bearer !== undefined) headers['authorization'] = `Bearer ${bearer}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url(path, query), { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'NETWORK', '');
    }
    if (response.ok) return response;
    let code = `HTTP_${response.status}`;
    let detail = '';
    try {
      const problem = (await response.json()) as { code?: unknown; detail?: unknown };
      if (typeof problem.code === 'string') code = problem.code;
      if (typeof problem.detail === 'string') detail = problem.detail;
    } catch {
      // not problem+json: the status says enough
    }
    if (response.status === 401) onUnauthorised();
    throw new ApiError(response.status, code, detail);
  }
  return {
    url,
    get: async <T>(path: string, query?: Record<string, string | number | undefined>) => (await (await send('GET', path, query, undefined)).json()) as T,
    text: async (path, query) => (await send('GET', path, query, undefined)).text(),
    post: async <T>(path: string, body: unknown) => {
      const response = await send('POST', path, undefined, body);
      return (response.status === 204 ? undefined : await response.json()) as T;
    },
    put: async <T>(path: string, body: unknown) => (await (await send('PUT', path, undefined, body)).json()) as T,
  };
}
