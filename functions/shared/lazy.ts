/**
 * A value built once per process on first use (clients and key material are never built per call).
 * A failed build is not cached, so a transient failure at cold start does not poison the container.
 */
export function lazy<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

export const systemClock = { now: (): Date => new Date() };
