/**
 * Splits items, in order, into batches of at most `maxCount` items whose sizes add up to at most `maxBytes`.
 * An item larger than `maxBytes` gets a batch of its own; callers reject those before chunking.
 */
export function chunkBatches<T>(
  items: readonly T[],
  limits: { readonly maxCount: number; readonly maxBytes: number },
  sizeOf: (item: T) => number,
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === limits.maxCount || currentBytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(item);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
