/**
 * A value built on first need and kept for the life of the process (DESIGN: clients built once per module).
 * Concurrent first calls share one build; a build that fails is tried again by the next call, so a transient
 * failure (a module that could not be read) does not poison the process.
 */
export function loadOnce<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
