import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintAssemblyLater } from '../helpers/templates-to-lint';
import {
  createProject,
  ensureNode22,
  FIXTURE,
  findDirsNamed,
  folderSize,
  lastJson,
  MANIFEST,
  mb,
  NODES,
  type PackedTarball,
  packTarball,
  pinned,
  REPO_NODE,
  REPO_ROOT,
  run,
  runOk,
  specifierOf,
  workerEnvironment,
} from './kit';
import {
  belowFloor,
  cdkSourceErrors,
  FLOOR,
  floorPackages,
  installedVersion,
  synthesize,
  synthFailure,
} from './peer-floor';
import { runWalkthrough, section, WALKTHROUGH_HEADING, walkthroughSteps } from './readme-walkthrough';
import { stackFacts } from './template-facts';
import { classify, KNOWN_THIRD_PARTY, parseDiagnostics } from './tsc-diagnostics';

// Issue 10's acceptance: the packed tarball in fresh projects without our dev dependencies, on Node 22 and 24.
// One beforeAll packs (the only test that writes dist/) and installs; the tests then only read those projects.
const SUBPATHS = Object.keys(MANIFEST.exports);
const CODE_SUBPATHS = SUBPATHS.filter((s) => !s.endsWith('.json'));
const FULL_TOOLS = ['zod', 'typescript', '@types/node', 'esbuild', 'aws-cdk-lib', 'constructs'];
const REGISTRY_QUEUES = ['default', 'emails'];
const bin = (project: string, name: string) => join(project, 'node_modules/.bin', name);

/** The consumer stack (test/consumer/fixture/full/src/stack.ts) as synthesized into `outdir`. */
function expectConsumerStack(outdir: string): void {
  lintAssemblyLater(outdir);
  const facts = stackFacts(outdir, 'ConsumerJobs');
  expect(facts.tables).toBe(1);
  expect(facts.queues.map((q) => q.queue)).toEqual(REGISTRY_QUEUES);
  for (const queue of facts.queues) {
    expect(queue, queue.queue).toMatchObject({ runtime: 'nodejs24.x', reportsBatchItemFailures: true });
    expect(queue.bundleBytes, `${queue.queue} worker bundle`).toBeGreaterThan(10_000);
  }
  // Bundled from the installed package's dist/outbox/relay-function.js.
  expect(facts.outboxRelayBytes, 'outbox relay bundle').toBeGreaterThan(10_000);
}

interface Imported {
  readonly node: string;
  readonly results: Record<
    string,
    { ok: boolean; exports?: string[]; isConfigError?: boolean; message?: string }
  >;
}

// Generous timeouts: the 2-core machine is shared with the rest of the suite while this file runs.
describe.sequential('wharf-jobs, packed and installed in fresh projects', { timeout: 120_000 }, () => {
  let work = '';
  let tarball: PackedTarball;
  let full = '';
  let producer = '';
  let floor = '';

  beforeAll(async () => {
    const started = performance.now();
    work = mkdtempSync(join(tmpdir(), 'wharf-consumer-'));
    [tarball] = await Promise.all([packTarball(work), ensureNode22()]);
    full = join(work, 'full');
    producer = join(work, 'producer');
    floor = join(work, 'floor');
    await Promise.all([
      createProject(full, ['common', 'full'], [tarball.path, ...FULL_TOOLS.map(pinned)]),
      createProject(producer, ['common'], [tarball.path, pinned('zod')]),
      createProject(floor, ['full', 'floor'], floorPackages(tarball.path)),
    ]);
    console.log(`[consumer] packed and installed in ${Math.round(performance.now() - started)} ms`);
  }, 900_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs the build and the sources, and no tests, benchmarks, screenshots, functions/ or infra/', () => {
    console.log(
      `[consumer] tarball ${tarball.size} bytes (${tarball.unpackedSize} unpacked), ${tarball.files.length} files`,
    );
    const unwanted = tarball.files.filter(
      (f) => /^(test|bench|functions|infra|docs|scripts)\//.test(f) || /\.(test|spec)\.ts$|\.png$/.test(f),
    );
    expect(unwanted).toEqual([]);
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v);
    };
    collect(MANIFEST.exports);
    const missing = [...targets, './dist/cli/main.js'].filter((t) => !tarball.files.includes(t.slice(2)));
    expect(missing).toEqual([]);
  });

  it('passes publint, warnings and suggestions included', async () => {
    const result = await run(
      join(REPO_ROOT, 'node_modules/.bin/publint'),
      ['run', tarball.path, '--strict'],
      {
        cwd: work,
        node: REPO_NODE,
      },
    );
    expect(result.stdout + result.stderr).toContain('All good!');
    expect(result.code).toBe(0);
  });

  it('passes @arethetypeswrong/cli with the esm-only profile', async () => {
    // esm-only because the package is ESM only ("type": "module"; only wharf-jobs/cdk has a `require` entry, with
    // its own .d.cts): the profile requires the node16-from-ESM and bundler resolutions and ignores node10 (no
    // `exports` support) and node16 from CJS, where CommonJS code reaches ESM through require(esm) or import().
    // `strict` and `node16` would demand CommonJS entries this package does not ship, on purpose. Problems not
    // tied to a resolution mode (a .d.ts whose module kind differs from its JavaScript) still fail it.
    const attw = join(REPO_ROOT, 'node_modules/.bin/attw');
    const result = await run(attw, [tarball.path, '--profile', 'esm-only'], { cwd: work, node: REPO_NODE });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    // The profile sets the exit code; the table shows that each entry point resolves, types included, as ESM and
    // for bundlers (blocks of `"wharf-jobs/<subpath>"` then one line per resolution mode).
    const blocks = result.stdout.split(/\*{10,}/).filter((b) => /^"wharf-jobs[^"]*"$/m.test(b));
    const resolved = blocks.map((b) => ({
      entry: /^"(wharf-jobs[^"]*)"$/m.exec(b)?.[1],
      esm: /node16 \(from ESM\): 🟢/.test(b),
      bundler: /bundler: 🟢/.test(b),
    }));
    const expected = SUBPATHS.map((s) => ({ entry: specifierOf(s), esm: true, bundler: true }));
    expect(resolved).toEqual(expected);
  });

  it("the consumer's source imports every subpath of package.json exports", () => {
    const src = join(FIXTURE, 'full/src');
    const text = readdirSync(src)
      .map((f) => readFileSync(join(src, f), 'utf8'))
      .join('\n');
    const imported = new Set([...text.matchAll(/from '(wharf-jobs[^']*)'/g)].map((m) => m[1]));
    expect(CODE_SUBPATHS.map(specifierOf).filter((s) => !imported.has(s))).toEqual([]);
  });

  describe.each([
    { config: 'tsconfig.json', mode: 'module nodenext' },
    { config: 'tsconfig.bundler.json', mode: 'module preserve, moduleResolution bundler' },
  ])("the consumer's tsc ($mode, strict, exactOptionalPropertyTypes, no skipLibCheck)", ({ config }) => {
    it('reports nothing in our declarations or the consumer code; other packages only as documented', async () => {
      const result = await run(bin(full, 'tsc'), ['-p', config, '--pretty', 'false'], {
        cwd: full,
        node: REPO_NODE,
      });
      const { ours, unknown, known } = classify(parseDiagnostics(result.stdout + result.stderr));
      for (const rule of KNOWN_THIRD_PARTY) {
        console.log(
          `[consumer] ${config}: ${known.get(rule) ?? 0} errors in ${rule.pkg} (${rule.codes}): ${rule.why}`,
        );
      }
      expect(ours.map((d) => d.text)).toEqual([]);
      expect(unknown.map((d) => d.text)).toEqual([]);
      // Each documented problem still occurs: once a package fixes its declarations, its rule must go.
      expect(KNOWN_THIRD_PARTY.filter((rule) => !known.has(rule)).map((r) => r.pkg)).toEqual([]);
      if (config === 'tsconfig.json') expect(existsSync(join(full, 'build/synth.js'))).toBe(true);
    });
  });

  it("the consumer's application code (no CDK, no Lambda entry) type-checks with no error at all", async () => {
    const result = await run(bin(full, 'tsc'), ['-p', 'tsconfig.app.json', '--pretty', 'false'], {
      cwd: full,
      node: REPO_NODE,
    });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  describe.each(NODES)('on $name', (node) => {
    it('runs the Node the test asked for', async () => {
      const result = await runOk('node', ['--version'], { cwd: full, node });
      expect(result.stdout.trim()).toBe(`v${node.version}`);
    });

    it('imports every subpath as ESM with plain node', async () => {
      const { results } = lastJson<Imported>(await runOk('node', ['import-all.mjs'], { cwd: full, node }));
      expect(Object.keys(results)).toEqual(SUBPATHS);
      for (const subpath of CODE_SUBPATHS) {
        expect(results[subpath], subpath).toMatchObject({ ok: true });
        expect(results[subpath]?.exports?.length, subpath).toBeGreaterThan(0);
      }
    });

    it('runs a job on the embedded engine: a failed first attempt, then success', async () => {
      const outcome = lastJson<Record<string, unknown>>(
        await runOk('node', ['run-local.mjs'], { cwd: full, node }),
      );
      expect(outcome).toMatchObject({
        performed: [
          { name: 'ada', attempt: 1 },
          { name: 'ada', attempt: 2 },
        ],
        succeeded: 1,
        status: 'succeeded',
        result: { greeting: 'hello ada' },
      });
    });

    it('runs npx wharf --help and wharf --local commands', async () => {
      const help = await runOk('npx', ['--no-install', 'wharf', '--help'], { cwd: full, node });
      expect(help.stdout).toMatch(/^Usage: wharf/);
      expect(help.stdout).toContain('--local <module>');
      const local = ['--no-install', 'wharf', '--local', 'local-app.mjs', '--json', 'enqueue', 'greet'];
      const enqueued = await runOk('npx', [...local, '--payload', '{"name":"ada"}'], { cwd: full, node });
      expect(JSON.parse(enqueued.stdout)).toMatchObject({ jobName: 'greet', queue: 'default' });
      const refused = await run('npx', [...local, '--payload', '{"name":1}'], { cwd: full, node });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('Invalid payload for job "greet"');
    });

    it("runs the consumer's own unit test (wharf-jobs/testing) under node --test", async () => {
      const result = await runOk('node', ['--test', '--test-reporter=tap', 'build/jobs.spec.js'], {
        cwd: full,
        node,
      });
      expect(result.stdout).toMatch(/# pass 2\b/);
      expect(result.stdout).toMatch(/# fail 0\b/);
    });

    it('synthesizes the consumer stack; NodejsFunction bundles the worker with the local esbuild', async () => {
      const outdir = join(work, `cdk.out-${node.version}`);
      await runOk('node', ['build/synth.js', outdir], { cwd: full, node });
      expectConsumerStack(outdir);
    });

    it('producer-only: every subpath but wharf-jobs/cdk imports; cdk fails with ConfigError naming both peers', async () => {
      const { results } = lastJson<Imported>(
        await runOk('node', ['import-all.mjs'], { cwd: producer, node }),
      );
      for (const subpath of SUBPATHS.filter((s) => s !== './cdk'))
        expect(results[subpath], subpath).toMatchObject({ ok: true });
      const required = lastJson<{ outcome: Imported['results'][string] }>(
        await runOk('node', ['require-cdk.cjs'], { cwd: producer, node }),
      ).outcome;
      for (const failure of [results['./cdk'], required]) {
        expect(failure).toMatchObject({ ok: false, isConfigError: true });
        expect(failure?.message).toContain('aws-cdk-lib');
        expect(failure?.message).toContain('constructs');
      }
    });
  });

  // The lowest versions the peer ranges allow, on Node 24 (peer-floor.ts says how the floor was found). Each failure
  // names what is missing: raise the floor in package.json to the first aws-cdk-lib that has it.
  describe(`at the floor of the peer ranges: aws-cdk-lib ${FLOOR.awsCdkLib}, constructs ${FLOOR.constructs}`, () => {
    const raise = `raise peerDependencies["aws-cdk-lib"] above ${FLOOR.awsCdkLib} to the first version that has it`;

    it('installs exactly those versions', () => {
      expect(installedVersion(floor, 'aws-cdk-lib')).toBe(FLOOR.awsCdkLib);
      expect(installedVersion(floor, 'constructs')).toBe(FLOOR.constructs);
    });

    it("wharf-jobs/cdk's shipped sources type-check against the floor's aws-cdk-lib", async () => {
      expect(await cdkSourceErrors(floor), `src/cdk uses what this aws-cdk-lib lacks: ${raise}`).toEqual([]);
    });

    it("the consumer's CDK app type-checks against its declarations (strict, no skipLibCheck)", async () => {
      const result = await run(bin(floor, 'tsc'), ['-p', 'tsconfig.cdk.json', '--pretty', 'false'], {
        cwd: floor,
        node: REPO_NODE,
      });
      const { ours, unknown } = classify(parseDiagnostics(result.stdout + result.stderr));
      expect(ours.map((d) => d.text)).toEqual([]);
      expect(unknown.map((d) => d.text)).toEqual([]);
      expect(existsSync(join(floor, 'build/synth.js'))).toBe(true);
    });

    it('synthesizes the consumer stack; NodejsFunction bundles the worker', async () => {
      const outdir = join(work, 'cdk.out-floor');
      const result = await synthesize(floor, outdir);
      expect(result.code, `${synthFailure(result)}\n-> ${raise}`).toBe(0);
      expectConsumerStack(outdir);
    });

    it('the newest aws-cdk-lib below the floor fails the sources type-check or the synth', {
      timeout: 480_000,
    }, async () => {
      const below = await belowFloor(join(work, 'below-floor'), tarball.path, floor);
      const failures = [
        ...below.sourceErrors,
        ...(below.synth.code === 0 ? [] : [synthFailure(below.synth)]),
      ];
      console.log(`[consumer] aws-cdk-lib@${below.version}, below the floor:\n${failures.join('\n')}`);
      expect(
        failures.length,
        `aws-cdk-lib@${below.version} works too: the floor could be lower`,
      ).toBeGreaterThan(0);
    });
  });

  it('esbuild bundles a consumer worker entry into one ESM file that loads on Node 22 and 24', async () => {
    const outdir = join(work, 'bundle');
    const banner =
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
    await runOk(
      bin(full, 'esbuild'),
      [
        'src/worker.ts',
        '--bundle',
        '--minify',
        '--platform=node',
        '--format=esm',
        '--target=node22',
        `--outdir=${outdir}`,
        '--out-extension:.js=.mjs',
        `--metafile=${join(work, 'meta.json')}`,
        `--banner:js=${banner}`,
      ],
      { cwd: full, node: REPO_NODE },
    );
    expect(readdirSync(outdir)).toEqual(['worker.mjs']);
    const meta = JSON.parse(readFileSync(join(work, 'meta.json'), 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const inputs = Object.keys(meta.inputs);
    expect(inputs.some((i) => i.startsWith('node_modules/wharf-jobs/dist/lambda/'))).toBe(true);
    expect(inputs.filter((i) => /node_modules\/(aws-cdk-lib|constructs|tsx)\//.test(i))).toEqual([]);
    console.log(`[consumer] worker bundle ${mb(folderSize(outdir).bytes)} from ${inputs.length} inputs`);
    const env = workerEnvironment('emails', REGISTRY_QUEUES);
    for (const node of NODES) {
      const loaded = lastJson<Record<string, unknown>>(
        await runOk('node', ['check-bundle.mjs', join(outdir, 'worker.mjs')], { cwd: full, node, env }),
      );
      expect(loaded).toMatchObject({
        node: `v${node.version}`,
        handlerType: 'function',
        response: { batchItemFailures: [] },
      });
    }
  });

  it('producer-only install: no aws-cdk-lib, constructs or tsx, and under 25 MB', () => {
    const modules = join(producer, 'node_modules');
    const found = findDirsNamed(modules, ['aws-cdk-lib', 'constructs', 'tsx']);
    expect(found).toEqual([]);
    const size = folderSize(modules);
    // Bytes of the files, as npm's unpackedSize and package-size sites count; du's disk blocks (4 KiB per small
    // file) are printed beside them.
    console.log(
      `[consumer] producer-only node_modules: ${mb(size.bytes)} of files, ${mb(size.diskBytes)} on disk (du)`,
    );
    expect(size.bytes).toBeLessThan(25 * 1024 * 1024);
  });

  it('the README walkthrough "Your first job in your own project" works as printed, on Node 22 and 24', {
    timeout: 600_000,
  }, async () => {
    const text = section(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), WALKTHROUGH_HEADING);
    expect(text, `README.md has no section "${WALKTHROUGH_HEADING}"`).toBeDefined();
    const steps = walkthroughSteps(text ?? '');
    expect(steps.filter((s) => s.kind === 'file').length, 'file= blocks in the walkthrough').toBeGreaterThan(
      0,
    );
    const project = join(work, 'my-jobs');
    const outputs = await runWalkthrough(steps, project, tarball.path);
    for (const node of NODES) {
      // What the README says `node src/main.ts` prints, and that the stack it synthesizes is complete.
      const main = `${node.name}: node src/main.ts`;
      expect(outputs.get(main), main).toContain('{ succeeded: 2 } 10 minutes simulated');
      const test = `${node.name}: node --test src/jobs.test.ts`;
      expect(outputs.get(test), test).toMatch(/fail 0/);
    }
    lintAssemblyLater(join(project, 'cdk.out'));
    const facts = stackFacts(join(project, 'cdk.out'), 'MyJobs');
    expect(facts.tables).toBe(1);
    expect(facts.queues).toMatchObject([{ queue: 'default', reportsBatchItemFailures: true }]);
    expect(facts.queues[0]?.bundleBytes).toBeGreaterThan(10_000);
  });
});
