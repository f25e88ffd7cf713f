import type { Clock } from '../clock.js';
import type { Consumer } from '../transport/types.js';

/** How long a delete may wait for others to share its DeleteMessageBatch: far below any visibility timeout. */
export const ACK_LINGER_MS = 100;

/**
 * Collects receipt handles to delete and sends them ten at a time (DeleteMessageBatch's limit), or at the latest
 * ACK_LINGER_MS after the first one waits, or when flushed. A delete must never wait for something else to
 * happen (the next receive): once its job is done its heartbeat stops, and a message not deleted before its
 * visibility timeout runs out is delivered again and run again.
 * Failed deletes are harmless for correctness (the message comes back and the store or envelope recognises it),
 * but they are reported so they can be logged.
 */
export class AckBuffer {
  private readonly pending = new Map<string, string[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly consumer: Consumer,
    private readonly onFailure: (queue: string, failures: number) => void,
    private readonly clock: Clock,
  ) {}

  add(queue: string, receiptHandle: string): void {
    const list = this.pending.get(queue) ?? [];
    list.push(receiptHandle);
    this.pending.set(queue, list);
    if (list.length >= 10) this.flushQueue(queue);
    else if (list.length === 1) void this.clock.sleep(ACK_LINGER_MS).then(() => this.flushQueue(queue));
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
