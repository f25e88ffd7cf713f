import type { Clock } from '../clock.js';
import type { Consumer, ReceivedMessage } from '../transport/types.js';

/**
 * Keeps a message invisible while its job runs: every half visibility timeout, the visibility is pushed out
 * again, so a job longer than the visibility timeout is not delivered to a second worker.
 */
export function heartbeat(
  consumer: Consumer,
  message: ReceivedMessage,
  visibilitySeconds: number,
  clock: Clock,
  warn: (m: string) => void,
) {
  const stop = new AbortController();
  const loop = async () => {
    while (!stop.signal.aborted) {
      try {
        await clock.sleep((visibilitySeconds * 1000) / 2, stop.signal);
      } catch {
        return;
      }
      const failures = await consumer
        .changeVisibility(message.queue, [message.receiptHandle], visibilitySeconds)
        .catch(() => [{}]);
      if (failures.length > 0) warn(`heartbeat for message ${message.messageId} on ${message.queue} failed`);
    }
  };
  const done = loop();
  // Resolves once no heartbeat is in flight: a visibility set after it (a wait in place) is not overwritten.
  return {
    stop: (): Promise<void> => {
      stop.abort();
      return done;
    },
  };
}
