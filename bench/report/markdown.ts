import type { Spread } from '../stats';
import type { SideUnits } from '../units';
import type { BenchResults } from './types';

/** The results as the markdown printed by `npm run bench` and pasted into the README. */
export function renderMarkdown(r: BenchResults): string {
  return [
    header(r),
    requestTable(r),
    workerTable(r),
    enqueueTable(r),
    coldStartTable(r),
    embeddedTable(r),
    entryPointTable(r),
    targetTable(r),
  ].join('\n\n');
}

const num = (n: number, digits = 2) => n.toFixed(digits);
const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : 'n/a');
const usd = (n: number) => `$${n.toFixed(2)}`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const range = (s: Spread, f: (n: number) => string) => `${f(s.median)} [${f(s.p10)}..${f(s.p90)}]`;
const table = (head: string[], rows: string[][]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

function header(r: BenchResults): string {
  const m = r.meta;
  return [
    `### wharf against SQS + Powertools (batch, idempotency) + middy${m.smoke ? ' — SMOKE RUN, tiny counts' : ''}`,
    '',
    `${m.startedAt.slice(0, 10)} · Node ${m.node} · ${m.cpu}, ${m.cores} cores · ${m.emulator} · ` +
      `${Math.round(m.durationSeconds)} s. Medians, [p10..p90] over repeated runs; ratios are wharf ÷ baseline ` +
      'within one run. Prices: us-east-1 list prices as of ' +
      `${r.prices.compiledOn} (src/ops/prices.ts), no free tier, Lambda duration left out.`,
  ].join('\n');
}

function writes(s: SideUnits): string {
  return `${num(s.dynamodbWritesPerJob)} (${num(s.writeUnitsPerJob.total)})`;
}

function requestTable(r: BenchResults): string {
  const rows = r.requests.rows.map((row, i) => [
    `${row.case} [${i + 1}]`,
    num(row.wharf.requestsPerJob),
    num(row.baseline.requestsPerJob),
    ratio(row.requestRatio),
    `${writes(row.wharf)} · ${writes(row.baseline)}`,
    `${usd(row.wharf.costPerMillionJobs.total)} · ${usd(row.baseline.costPerMillionJobs.total)}`,
    ratio(row.costRatio),
  ]);
  const notes = r.requests.rows.map((row, i) => `${i + 1}. ${row.note}.`);
  return [
    `**1. AWS requests and cost per job** (${r.requests.jobsPerScenario} jobs per scenario on moto; requests = ` +
      'SQS + DynamoDB + Scheduler API calls, the event source mapping’s receive and delete at batch size 10 included; ' +
      'writes = DynamoDB write requests (write units, index writes included); cost adds Lambda invocations and ' +
      'Scheduler firings)',
    '',
    table(
      [
        'case',
        'wharf req/job',
        'baseline req/job',
        'ratio',
        'writes/job (units) wharf · baseline',
        '$ per 1M jobs wharf · baseline',
        'cost ratio',
      ],
      rows,
    ),
    '',
    ...notes,
  ].join('\n');
}

function workerTable(r: BenchResults): string {
  const w = r.worker;
  const rows = (part: typeof w.inMemory, io: string) =>
    part.pairs.map((p) => [
      `${p.wharf} · ${p.baseline}`,
      io,
      range(p.wharfWallMs, int),
      range(p.baselineWallMs, int),
      range(p.wallRatio, ratio),
      range(p.wharfCpuMs, int),
      range(p.baselineCpuMs, int),
      range(p.cpuRatio, ratio),
    ]);
  return [
    `**2. Worker time per ${int(w.perJobs)} jobs through the Lambda handler**, in-process, ms (I/O taken out: ` +
      `${int(w.inMemory.jobsPerRun)} jobs × ${w.inMemory.runs} rounds, in-memory store and transport for wharf, an in-memory ` +
      `Powertools persistence layer for the baseline, a full garbage collection before each timed round so that no ` +
      `subject pays for another's garbage; moto: ${int(w.emulator.jobsPerRun)} jobs × ${w.emulator.runs} ` +
      'rounds, scaled; moto is Python on the same two cores, so its wall time measures moto more than either ' +
      'library. baseline plain = Powertools batch alone; baseline idempotent = batch + idempotency)',
    '',
    table(
      [
        'wharf · baseline',
        'I/O',
        'wharf wall',
        'baseline wall',
        'wall ratio',
        'wharf CPU',
        'baseline CPU',
        'CPU ratio',
      ],
      [...rows(w.inMemory, 'none'), ...rows(w.emulator, 'moto')],
    ),
  ].join('\n');
}

function enqueueTable(r: BenchResults): string {
  const rows = r.enqueue.map((row) => [
    row.target,
    range(row.wharfOneByOne, int),
    range(row.wharfBulk, int),
    range(row.bulkOverOneByOne, ratio),
    range(row.baselineOneByOne, int),
    range(row.bulkOverBaseline, ratio),
  ]);
  return [
    '**3. Enqueue throughput**, jobs/s (one-by-one: each request awaited in turn; wharf bulk: `enqueueMany`, 10 ' +
      'per SendMessageBatch, 5 requests in flight; baseline: SendMessage per job)',
    '',
    table(
      [
        'target',
        'wharf one-by-one',
        'wharf bulk',
        'bulk ÷ one-by-one',
        'baseline one-by-one',
        'wharf bulk ÷ baseline',
      ],
      rows,
    ),
  ].join('\n');
}

function coldStartTable(r: BenchResults): string {
  const c = r.coldStart;
  const kb = (bytes: number) => `${int(bytes / 1024)} KB`;
  const rows = c.rows.map((row) => [
    row.variant,
    row.name,
    String(row.files),
    kb(row.bytes),
    kb(row.gzipBytes),
    kb(row.initBytes),
    range(row.initMs, (n) => num(n, 1)),
    row.sizeRatio === undefined ? '—' : ratio(row.sizeRatio),
    row.initBytesRatio === undefined ? '—' : ratio(row.initBytesRatio),
    row.initRatio === undefined ? '—' : range(row.initRatio, ratio),
  ]);
  const head = ['bundling', 'bundle', 'files', 'minified', 'gzip', 'at init', 'init ms'];
  return [
    `**4. Cold start** (${c.settings}; ${c.runs} fresh processes per bundle, interleaved across every bundle; ` +
      `ratios against the baseline bundled the same way. As deployed: wharf ${c.deployed.wharf} (the WharfJobs ` +
      `construct), the baseline ${c.deployed.baseline} (NodejsFunction))`,
    '',
    table([...head, 'size ÷ baseline', 'at init ÷ baseline', 'init ÷ baseline'], rows),
  ].join('\n');
}

function entryPointTable(r: BenchResults): string {
  const e = r.entryPoints;
  const rows = e.rows.map((row) => [
    `\`${row.specifier}\``,
    `${int(row.bytes / 1024)} KB`,
    `${int(row.gzipBytes / 1024)} KB`,
    row.pulls.length > 0 ? row.pulls.join(', ') : 'none',
    row.external.length > 0 ? row.external.join(', ') : '—',
  ]);
  return [
    `**6. Entry points**: a bundle that imports all of one entry point (${e.settings}; watched: AWS SDK ` +
      'clients, aws-cdk-lib, constructs, @middy/core, croner, commander)',
    '',
    table(['entry point', 'minified', 'gzip', 'pulls in', 'external peers'], rows),
  ].join('\n');
}

function embeddedTable(r: BenchResults): string {
  const e = r.embedded;
  const rows = e.modes.map((m) => [
    m.mode,
    `${int(m.runJobsPerSecond.median)} [${int(m.runJobsPerSecond.min)}..${int(m.runJobsPerSecond.max)}]`,
  ]);
  return [
    `**5. Embedded engine**, no-op jobs run per second (${int(e.jobsPerRun)} jobs × ${e.runs} runs, median ` +
      `[min..max]; ${e.oneCore})`,
    '',
    table(['idempotency', 'jobs/s'], rows),
  ].join('\n');
}

function targetTable(r: BenchResults): string {
  const rows = r.targets.map((t) => [t.target, t.measured, t.met ? 'met' : '**not met**']);
  return ['**Targets** (issues 7 and 10)', '', table(['target', 'measured', 'verdict'], rows)].join('\n');
}
