/**
 * Whose turn it is among weighted lanes: smooth weighted round-robin (nginx's), so over every `sum of weights`
 * turns each lane is chosen exactly `weight` times, spread out rather than in runs (6:3:1 gives
 * h d h h d h l h d h, not six h in a row). One turn is one receive, on the worker process and the embedded
 * engine alike, so both deliver a queue's lanes in the same proportions.
 *
 * A turn names the chosen lane first, then the others, highest weight first: a consumer that finds the chosen lane
 * empty takes from the next one instead, so no capacity idles while any lane has work, and the chosen lane is
 * still charged for its turn, so a lane with work is never skipped for longer than its weight says.
 */
export class LaneTurns {
  private readonly weights: readonly number[];
  private readonly total: number;
  private readonly current: number[];
  /** Lane indexes by weight, highest first (declared order among equals): the order turns are given away in. */
  private readonly byWeight: readonly number[];

  constructor(weights: readonly number[]) {
    if (weights.length === 0 || weights.some((w) => !Number.isInteger(w) || w < 1))
      throw new RangeError(`lane weights must be positive integers, received [${weights.join(', ')}]`);
    this.weights = weights;
    this.total = weights.reduce((a, b) => a + b, 0);
    this.current = weights.map(() => 0);
    this.byWeight = weights.map((_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
  }

  /** Every lane by weight, highest first. */
  order(): number[] {
    return [...this.byWeight];
  }

  /** The lanes to try this turn, in order: the chosen one, then every other by weight. */
  next(): number[] {
    let chosen = 0;
    for (let i = 0; i < this.weights.length; i++) {
      this.current[i]! += this.weights[i]!;
      if (this.current[i]! > this.current[chosen]!) chosen = i;
    }
    this.current[chosen]! -= this.total;
    return [chosen, ...this.byWeight.filter((i) => i !== chosen)];
  }
}
