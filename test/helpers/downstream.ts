/**
 * A fake downstream service that deduplicates by idempotency key, as a payment API does with an Idempotency-Key
 * header: every call is counted, and a call with a key it has seen changes nothing and returns the first result.
 * "One effect" in the scenarios means one logical effect here, whatever the number of calls.
 */
export class KeyedDownstream<T = unknown> {
  /** Every call, in order, duplicates included. */
  readonly calls: { readonly key: string; readonly value: T }[] = [];
  readonly #effects = new Map<string, T>();

  /** Applies `value` under `key` unless the key was seen; returns the value that stands for that key. */
  apply(key: string, value: T): T {
    this.calls.push({ key, value });
    if (!this.#effects.has(key)) this.#effects.set(key, value);
    return this.#effects.get(key) as T;
  }

  /** The logical effects: one per key, the first value sent with it. */
  effects(): ReadonlyMap<string, T> {
    return new Map(this.#effects);
  }
}
