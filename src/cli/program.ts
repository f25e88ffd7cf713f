import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { printable } from '../ops/printable.js';
import { JOB_STATUSES } from '../store/types.js';
import { type BatchesListOptions, batchesList, batchShow } from './batch-commands.js';
import { type CancelCommandOptions, cancelCommand } from './cancel-command.js';
import {
  enqueueCommand,
  jobsCounts,
  jobsList,
  jobsShow,
  queuesCommand,
  schedulesCommand,
} from './commands.js';
import { type CliContext, type GlobalOptions, openContext } from './context.js';
import { dashboardCommand } from './dashboard-command.js';
import { type BulkCommandOptions, dlqAct, dlqList, dlqShow } from './dlq-commands.js';
import { envCommand } from './env-command.js';
import { CliExit, EXIT, EXIT_CODES_HELP, exitCodeFor } from './exit-codes.js';
import { processOutput } from './output.js';
import { PAUSABLE_KINDS, type PauseCommandOptions, pauseCommand, pausesCommand } from './pause-commands.js';
import { type StatsCommandOptions, statsCommand } from './stats-command.js';
import { type WaitCommandOptions, waitCommand } from './wait-command.js';

/** Runs `wharf` with these arguments (process.argv shape) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    // Commander has printed its own message (unknown option, missing argument) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`wharf: ${printable(message, { multiline: true })}\n`);
    return error instanceof CliExit ? error.exitCode : exitCodeFor(error);
  }
  return exitCode;
}

type Handler<A extends unknown[]> = (ctx: CliContext, ...args: A) => Promise<number>;

function buildProgram(setExit: (code: number) => void): Command {
  /** Opens the context from the global options, runs the command, always closes. */
  const act =
    <A extends unknown[]>(handler: Handler<A>) =>
    async (...args: unknown[]) => {
      const command = args.at(-1) as Command;
      const ctx = await openContext(command.optsWithGlobals<GlobalOptions>());
      try {
        setExit(await handler(ctx, ...(args.slice(0, -1) as A)));
      } finally {
        await ctx.close();
      }
    };
  const program = new Command('wharf')
    .description('Operate wharf jobs: queues, jobs, dead letters, schedules, and a web dashboard.')
    .option('--json', 'machine-readable output on stdout')
    .option('--region <region>', 'AWS region (default: the SDK chain, AWS_REGION)')
    .option('--endpoint-url <url>', 'SQS and DynamoDB endpoint (LocalStack, moto)')
    .option('--table <name>', 'job table (default: WHARF_TABLE_NAME)')
    .option('--registry <module>', "module exporting the app's job registry (queues, schemas, redaction)")
    .option(
      '--local <module>',
      'use the embedded engine with this app module (registry, optional start and seed); its queues, dead ' +
        'letters, job records and schedules are kept in .wharf/ from one command to the next',
    )
    .option('--fresh', 'with --local: forget the saved local state and seed the engine again')
    .option('--redact <path...>', 'payload paths to hide for every job, e.g. card.number')
    .addOption(
      new Option('--method <method>', 'how "retry --all" redrives').choices(['auto', 'move-task', 'copy']),
    )
    .addHelpText(
      'after',
      '\nQueues and table come from WHARF_QUEUE_URL_<QUEUE>, WHARF_DLQ_URL_<QUEUE> and WHARF_TABLE_NAME, which\n' +
        'eval "$(wharf env --stack <StackName>)" sets from the stack\'s outputs.\n\n' +
        EXIT_CODES_HELP,
    )
    .showHelpAfterError()
    .exitOverride();
  program
    .command('queues')
    .description('messages visible, in flight, delayed and dead, per queue')
    .action(act(queuesCommand));
  addJobs(program, act);
  addBatches(program, act);
  addDlq(program, act);
  program
    .command('schedules')
    .description('recurring schedules and their next runs')
    .action(act(schedulesCommand));
  addPause(program, act);
  program
    .command('stats')
    .description(
      'per job type: runs by outcome, p50 and p95 duration, retry rate and cost per 1,000 runs (CloudWatch, or the embedded engine with --local)',
    )
    .option('--since <duration>', 'how far back, e.g. 15m, 1h, 2d', '1h')
    .action(act((ctx, o: StatsCommandOptions) => statsCommand(ctx, o)));
  program
    .command('cancel <jobId>')
    .description(
      'stop a job: delete its pending schedule, or record a cancellation its claim honours, or tell a running one (asks first)',
    )
    .option('--yes', 'do not ask for confirmation')
    .action(act((ctx, jobId: string, o: CancelCommandOptions) => cancelCommand(ctx, jobId, o)));
  program
    .command('wait <jobId>')
    .description('wait for a job to end and print how (exits 0 succeeded, 8 ended otherwise, 7 timed out)')
    .option('--timeout <duration>', 'how long to wait, e.g. 30s, 5m', '30s')
    .action(act((ctx, jobId: string, o: WaitCommandOptions) => waitCommand(ctx, jobId, o)));
  program
    .command('enqueue <job>')
    .description("enqueue a job; the payload is checked against the job's schema")
    .requiredOption('--payload <json>', 'the payload, as JSON')
    .option('--delay <duration>', 'run after this delay, e.g. 10m')
    .option('--job-id <id>', 'the job id (idempotency key)')
    .option('--priority <lane>', "the priority lane, one its queue declares (default: the job's own)")
    .option(
      '--expires-in <duration>',
      "not started this long after it is due: recorded expired (default: the job's)",
    )
    .action(act(enqueueCommand));
  program
    .command('env')
    .description('the stack\'s outputs as WHARF_* variables: eval "$(wharf env --stack <StackName>)"')
    .requiredOption('--stack <name>', 'the CloudFormation stack of the WharfJobs construct')
    .action(async (_o: unknown, command: Command) => {
      const o = command.optsWithGlobals<GlobalOptions & { stack: string }>();
      setExit(await envCommand(processOutput(o.json === true), o));
    });
  program
    .command('dashboard')
    .description('serve the web dashboard (127.0.0.1, token required)')
    .option('--port <port>', 'port (0: any free port)', integer(0, 65_535), 7400)
    .option('--host <host>', 'address to bind; anything but loopback exposes job data', '127.0.0.1')
    .option(
      '--read-only',
      'show everything, offer and accept no action (retry, discard, run now, pause, cancel)',
    )
    .action(act(dashboardCommand));
  for (const command of program.commands) command.exitOverride();
  return program;
}

type Act = <A extends unknown[]>(handler: Handler<A>) => (...args: unknown[]) => Promise<void>;

function addJobs(program: Command, act: Act): void {
  const jobs = program.command('jobs').description('job records from the job table');
  jobs
    .command('show <jobId>')
    .description("a job's state, payload, errors and dead letters")
    .action(act(jobsShow));
  // `wharf jobs --status expired` lists, as `wharf jobs list --status expired` does.
  jobs
    .command('list', { isDefault: true })
    .description('jobs: failures (queued, retrying, dead, discarded) newest first, the rest in table order')
    .addOption(new Option('--status <status>', 'only jobs with this status').choices(JOB_STATUSES))
    .option('--limit <n>', 'jobs per page (1-100)', integer(1, 100))
    .option('--cursor <cursor>', 'the next page, as printed after the previous one')
    .action(act(jobsList));
  jobs
    .command('counts')
    .description('how many job records have each status (expired and cancelled included)')
    .option('--max <n>', 'records read at most (default 1000)', integer(1, 10_000))
    .action(act(jobsCounts));
}

function addBatches(program: Command, act: Act): void {
  program
    .command('batch <batchId>')
    .description(
      "a batch's progress: children ended, counts per outcome, its callbacks and whether they were sent",
    )
    .action(act(batchShow));
  program
    .command('batches')
    .description('recent batches, newest first, with their progress')
    .option('--limit <n>', 'batches per page (1-100)', integer(1, 100))
    .option('--cursor <cursor>', 'the next page, as printed after the previous one')
    .action(act((ctx, o: BatchesListOptions) => batchesList(ctx, o)));
}

function addDlq(program: Command, act: Act): void {
  const dlq = program.command('dlq').description('dead letters: list, show, retry, discard');
  dlq
    .command('list')
    .description('dead letters, without consuming them')
    .option('--queue <queue>', 'one queue only')
    .option('--limit <n>', 'at most this many', integer(1, 10_000), 50)
    .action(act(dlqList));
  dlq
    .command('show <id>')
    .description('one dead letter (message id or job id) with its story')
    .option('--queue <queue>', 'look in this queue only')
    .action(act(dlqShow));
  for (const action of ['retry', 'discard'] as const) {
    dlq
      .command(`${action} [ids...]`)
      .description(
        action === 'retry' ? 'send dead letters back to their queue' : 'delete dead letters for good',
      )
      .option('--all', 'every dead letter (of --queue, or of every queue)')
      .option('--queue <queue>', 'one queue only')
      .option('--yes', 'do not ask for confirmation (bulk actions)')
      .option('--rate <n>', 'messages per second at most', integer(1, 500))
      .action(act((ctx, ids: string[], o: BulkCommandOptions) => dlqAct(ctx, action, ids, o)));
  }
}

function addPause(program: Command, act: Act): void {
  const kind = () =>
    new Argument('<kind>', 'queue, job (a job type) or schedule (a recurring task)').choices(PAUSABLE_KINDS);
  program
    .command('pause')
    .description('pause a queue, a job type or a recurring schedule (asks first)')
    .addArgument(kind())
    .argument('<name>', "the queue's or job's name, or the recurring task's key")
    .option('--reason <text>', 'why, shown with the pause (queues and job types)')
    .option('--yes', 'do not ask for confirmation')
    .action(
      act((ctx, k: (typeof PAUSABLE_KINDS)[number], name: string, o: PauseCommandOptions) =>
        pauseCommand(ctx, 'pause', k, name, o),
      ),
    );
  program
    .command('resume')
    .description('resume what `wharf pause` paused (asks first)')
    .addArgument(kind())
    .argument('<name>', "the queue's or job's name, or the recurring task's key")
    .option('--yes', 'do not ask for confirmation')
    .action(
      act((ctx, k: (typeof PAUSABLE_KINDS)[number], name: string, o: PauseCommandOptions) =>
        pauseCommand(ctx, 'resume', k, name, o),
      ),
    );
  program
    .command('pauses')
    .description('what is paused: queues, job types and recurring schedules, since when and why')
    .action(act(pausesCommand));
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}
