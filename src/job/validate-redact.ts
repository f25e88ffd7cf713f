/** Problems with a job's `redact` paths, reported with the rest of its definition's problems. */
export function redactPathProblems(paths: unknown): string[] {
  if (paths === undefined) return [];
  if (!Array.isArray(paths)) return ['redact: expected a list of paths such as ["card.number"]'];
  return paths.flatMap((path, i) =>
    typeof path === 'string' && /^[^.]+(\.[^.]+)*$/.test(path)
      ? []
      : [
          `redact[${i}]: expected a dot-separated path such as "card.number", received ${JSON.stringify(path)}`,
        ],
  );
}
