import type { Consumer } from '../transport/types';

/**
 * Collects receipt handles to delete and sends them ten at a time (DeleteMessageBatch's limit), or when flushed.
 * Failed deletes are harmless for correctness (the message comes back and the store or envelope recognises it),
 * but they are reported so they can be logged.
 */
export class AckBuffer {
  private readonly pending = new Map<string, string[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly consumer: Consumer,
    private readonly onFailure: (queue: string, failures: number) => void,
  ) {}

  add(queue: string, receiptHandle: string): void {
    const list = this.pending.get(queue) ?? [];
    list.push(receiptHandle);
    this.pending.set(queue, list);
    if (list.length >= 10) this.flushQueue(queue);
  }

  /** Sends everything pending and waits for every delete in flight. */
  async flush(): Promise<void> {
    for (const queue of [...this.pending.keys()]) this.flushQueue(queue);
    await Promise.all([...this.inFlight]);
  }

  private flushQueue(queue: string): void {
    const handles = this.pending.get(queue);
    this.pending.delete(queue);
    if (!handles || handles.length === 0) return;
    const sending = this.consumer
      .ack(queue, handles)
      .then(
        (failures) => {
          if (failures.length > 0) this.onFailure(queue, failures.length);
        },
        () => this.onFailure(queue, handles.length),
      )
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }
}
