/** What the heap orders: a message's visibility time, with send order breaking ties. */
export interface Schedulable {
  visibleAtMs: number;
  readonly sequence: number;
  /** Bumped whenever visibleAtMs changes or the message leaves the queue, so older heap entries go stale. */
  version: number;
}

interface Entry<T extends Schedulable> {
  readonly visibleAtMs: number;
  readonly sequence: number;
  readonly version: number;
  readonly item: T;
}

/**
 * A binary min-heap with lazy deletion: a receive takes the next visible message in O(log n) instead of scanning
 * and sorting the queue. Changing a message's visibility pushes a new entry; the old one is skipped when it
 * surfaces (its version no longer matches).
 */
export class VisibilityHeap<T extends Schedulable> {
  private readonly entries: Entry<T>[] = [];

  push(item: T): void {
    this.entries.push({
      visibleAtMs: item.visibleAtMs,
      sequence: item.sequence,
      version: item.version,
      item,
    });
    this.up(this.entries.length - 1);
  }

  /** The earliest live item, without removing it. */
  peek(): T | undefined {
    this.dropStale();
    return this.entries[0]?.item;
  }

  /** Removes and returns the earliest live item. */
  pop(): T | undefined {
    this.dropStale();
    return this.popRaw()?.item;
  }

  private dropStale(): void {
    while (this.entries.length > 0 && this.entries[0]!.version !== this.entries[0]!.item.version)
      this.popRaw();
  }

  private popRaw(): Entry<T> | undefined {
    const top = this.entries[0];
    const last = this.entries.pop();
    if (this.entries.length > 0 && last) {
      this.entries[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.entries[a]!;
    const y = this.entries[b]!;
    return x.visibleAtMs < y.visibleAtMs || (x.visibleAtMs === y.visibleAtMs && x.sequence < y.sequence);
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.entries.length && this.less(left, smallest)) smallest = left;
      if (right < this.entries.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private swap(a: number, b: number): void {
    const t = this.entries[a]!;
    this.entries[a] = this.entries[b]!;
    this.entries[b] = t;
  }
}
