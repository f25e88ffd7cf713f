import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

export interface SoakOptions {
  /** @default 100000 */
  readonly jobs: number;
  /** Worker processes at once. @default 3 */
  readonly workers: number;
  /** Jobs at once in each worker. @default 8 */
  readonly concurrency: number;
  /** Replays the job mix, kill schedule and fault draws. @default a random one, printed */
  readonly seed: number;
  /** Mean time between two SIGKILLs (each 0.5x to 1.5x of it). @default 3 s */
  readonly killEveryMs: number;
  /** Chance that one AWS request of a worker gets a fault. @default 0.02 */
  readonly faultRate: number;
  /**
   * Jobs enqueued but not yet accounted for, at most. moto's SQS spends time proportional to the queue's length on
   * every receive and delete (a receive costs 4x more at 500 messages than at 50), so the producer keeps the queue
   * short instead of enqueueing everything first. @default 4 x workers x concurrency
   */
  readonly window: number;
  /** The run ends as stalled when no job is accounted for in this long. @default 120 s */
  readonly stallMs: number;
  /** Keep the run's directory (events, effects, worker logs) even when the run passes. @default false */
  readonly keep: boolean;
}

const USAGE = `usage: npm run soak -- [--jobs N] [--workers W] [--concurrency C] [--seed S] [--kill-every SECONDS]
                       [--fault-rate P] [--window N] [--stall-seconds S] [--keep]`;

export function soakOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      jobs: { type: 'string', default: '100000' },
      workers: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string' },
      'kill-every': { type: 'string', default: '3' },
      'fault-rate': { type: 'string', default: '0.02' },
      window: { type: 'string' },
      'stall-seconds': { type: 'string', default: '120' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const problems: string[] = [];
  const number = (name: string, raw: string, min: number, max: number, integer = true): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value)))
      problems.push(
        `--${name}: ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, received "${raw}"`,
      );
    return value;
  };
  const workers = number('workers', values.workers, 1, 64);
  const concurrency = number('concurrency', values.concurrency, 1, 1000);
  const options: SoakOptions = {
    jobs: number('jobs', values.jobs, 1, 10_000_000),
    workers,
    concurrency,
    seed: values.seed === undefined ? randomInt(2 ** 31) : number('seed', values.seed, 0, 2 ** 32 - 1),
    killEveryMs: number('kill-every', values['kill-every'], 0.1, 3600, false) * 1000,
    faultRate: number('fault-rate', values['fault-rate'], 0, 0.5, false),
    window:
      values.window === undefined
        ? 4 * workers * concurrency
        : number('window', values.window, 10, 1_000_000),
    stallMs: number('stall-seconds', values['stall-seconds'], 5, 86_400, false) * 1000,
    keep: values.keep,
  };
  if (problems.length > 0) {
    console.error(`soak: ${problems.join('; ')}\n${USAGE}`);
    process.exit(2);
  }
  return options;
}
