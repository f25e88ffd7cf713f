import { createClient, createRegistry, defineJob } from 'wharf-jobs';
import { createDynamoJobStore, createJobTable } from 'wharf-jobs/aws';
import { createLambdaHandler } from 'wharf-jobs/lambda';
import { createManualClock } from 'wharf-jobs/local';
import { createQueuePair, type Emulator, uniqueName } from '../aws/emulator';
import { deliver } from '../aws/esm';
import { RequestLog } from '../aws/request-log';
import type { Measured } from '../measured';
import { noopPayloadSchema } from './jobs';
import { compressDelays, transportTo } from './long-delay';

/** Enqueues per burst of one key in the debounce row of figure 1. */
export const DEBOUNCE_BURST = 10;

const WAIT_MS = 1_000;
/** Past the burst's due time and the grace in which its latest message may still arrive (DEBOUNCE_GRACE_MS). */
const PAST_GRACE_MS = 6_000;

/**
 * Debounced bursts, as a deployment runs them: a producer enqueues `size` jobs of one key one by one, and the
 * Lambda handler takes every message. moto cannot fast-forward SQS delays, so time is compressed as for the hop
 * path: producer and worker share a manual clock that jumps to each burst's due time, messages go out with
 * DelaySeconds 0, and the worker's re-sends land on a second queue that the next round drains. Every request is
 * one the path makes; the costs are per enqueue.
 */
export async function measureDebounce(
  emulator: Emulator,
  { bursts, size }: { readonly bursts: number; readonly size: number },
): Promise<Measured> {
  const log = new RequestLog();
  const clock = createManualClock(Math.floor(Date.now() / 1000) * 1000);
  const queues = [
    await createQueuePair(emulator, 'wharf-debounce-a'),
    await createQueuePair(emulator, 'wharf-debounce-b'),
  ];
  const tableName = uniqueName('wharf-jobs');
  await createJobTable(emulator.setup.dynamodb, tableName);
  const job = defineJob({
    name: 'noop',
    schema: noopPayloadSchema,
    debounce: { key: (p) => `burst-${Math.floor(p.i / size)}`, wait: { ms: WAIT_MS } },
    perform: () => undefined,
  });
  const registry = createRegistry([job]);
  const client = createClient({
    transport: compressDelays(transportTo(emulator, log, 'producer', queues[0]!)),
    store: createDynamoJobStore({ client: emulator.dynamodb(log, 'producer'), tableName }),
    clock,
  });
  let ran = 0;
  const worker = (round: number) =>
    createLambdaHandler({
      registry,
      queue: 'default',
      clock,
      transport: compressDelays(transportTo(emulator, log, 'worker', queues[(round + 1) % 2]!)),
      store: createDynamoJobStore({ client: emulator.dynamodb(log, 'worker'), tableName }),
      onEvent: (event) => {
        if (event.type === 'succeeded') ran++;
      },
    });
  for (let i = 0; i < bursts * size; i++) await client.enqueue(job.with({ i }));
  const esm = emulator.sqs(log, 'esm');
  // Round 0, at the bursts' due time: each burst's last message runs it, the others are put off past the grace.
  clock.advance(WAIT_MS);
  const first = worker(0);
  const round0 = await deliver(esm, queues[0]!, (e, c) => first(e, c), bursts * size);
  // Round 1, past the grace: the messages put off find their burst gone, and are acknowledged unrun.
  clock.advance(PAST_GRACE_MS);
  const second = worker(1);
  const round1 = await deliver(esm, queues[1]!, (e, c) => second(e, c), bursts * (size - 1));
  if (ran !== bursts) throw new Error(`${ran} runs for ${bursts} bursts`);
  return {
    label: `wharf tracked + debounce, bursts of ${size}`,
    log,
    jobs: bursts * size,
    lambdaInvocations: round0.invocations + round1.invocations,
    schedulerInvocations: 0,
    tables: [tableName],
  };
}
