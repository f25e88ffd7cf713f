import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { bundleFacts } from '../../bench/bundle-facts';
import { entryPointFacts, exportedSpecifiers } from '../../bench/figures/entry-points';
import { WORKER_BUILD_OPTIONS } from '../../src/cdk/worker-build-options';

// Dependencies by entry point (issue 10), read from esbuild's metafile of real bundles: what the package promises
// about what each import costs.
const ROOT = resolve(import.meta.dirname, '../..');
const sdkClients = (packages: readonly string[]) => packages.filter((p) => p.startsWith('@aws-sdk/client-'));

describe('entry points', () => {
  it('lists every subpath of package.json exports, the root first', () => {
    const specifiers = exportedSpecifiers();
    expect(specifiers[0]).toBe('wharf-jobs');
    expect(specifiers).toEqual(
      expect.arrayContaining(['wharf-jobs/aws', 'wharf-jobs/lambda', 'wharf-jobs/ops']),
    );
  });

  it('the root entry, the API an app writes with, pulls in no AWS SDK client', async () => {
    const facts = await entryPointFacts('wharf-jobs');
    expect(facts.packages.length).toBeGreaterThan(0); // the bundle was read: it has croner and @standard-schema
    expect(sdkClients(facts.packages)).toEqual([]);
  });

  it('sees the clients where they are: wharf-jobs/aws pulls in all three', async () => {
    expect(sdkClients((await entryPointFacts('wharf-jobs/aws')).packages)).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-scheduler',
      '@aws-sdk/client-sqs',
    ]);
  });

  it.each([
    'wharf-jobs/adapters',
    'wharf-jobs/cdk',
    'wharf-jobs/dashboard',
    'wharf-jobs/local',
    'wharf-jobs/testing',
  ])('%s pulls in no AWS SDK client either', async (specifier) => {
    expect(sdkClients((await entryPointFacts(specifier)).packages)).toEqual([]);
  });

  it('wharf-jobs/cdk leaves aws-cdk-lib and constructs to the CDK app (peers, never bundled)', async () => {
    const facts = await entryPointFacts('wharf-jobs/cdk');
    expect(facts.packages).not.toContain('aws-cdk-lib');
    expect(facts.external).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs']));
  });
});

describe('what importing an entry point evaluates (split bundles: what plain Node loads up front)', () => {
  const initClients = async (specifier: string) => {
    const facts = await bundleFacts({
      ...WORKER_BUILD_OPTIONS,
      stdin: {
        contents: `import * as m from '${specifier}';\nconsole.log(Object.keys(m).length);\n`,
        resolveDir: ROOT,
        sourcefile: 'import-all.ts',
        loader: 'ts',
      },
      outdir: resolve(ROOT, 'node_modules/.cache/entry-point-init-test'),
      tsconfig: resolve(ROOT, 'tsconfig.json'),
    });
    return sdkClients(facts.initPackages);
  };

  it('wharf-jobs/ops loads no SDK client until AWS ops make a call (local ops, wharf --help)', async () => {
    expect(await initClients('wharf-jobs/ops')).toEqual([]);
  });

  it('wharf-jobs/lambda and wharf-jobs/worker load only the DynamoDB client up front', async () => {
    expect(await initClients('wharf-jobs/lambda')).toEqual(['@aws-sdk/client-dynamodb']);
    expect(await initClients('wharf-jobs/worker')).toEqual(['@aws-sdk/client-dynamodb']);
  });
});

describe('a Lambda worker as the WharfJobs construct bundles it', () => {
  const worker = [
    "import { createRegistry, defineJob } from 'wharf-jobs';",
    "import { createLambdaWorkerFromEnv } from 'wharf-jobs/lambda';",
    "const schema = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value }) } } as const;",
    "const job = defineJob({ name: 'noop', schema, idempotency: 'exactly-once', perform: () => undefined });",
    'export const handler = createLambdaWorkerFromEnv({ registry: createRegistry([job]) });',
  ].join('\n');

  it('loads only the DynamoDB client at init: SQS and Scheduler come in chunks when first needed, croner never', async () => {
    const facts = await bundleFacts({
      ...WORKER_BUILD_OPTIONS,
      stdin: { contents: worker, resolveDir: ROOT, sourcefile: 'worker.ts', loader: 'ts' },
      outdir: resolve(ROOT, 'node_modules/.cache/worker-bundle-test'),
      tsconfig: resolve(ROOT, 'tsconfig.json'),
    });
    expect(sdkClients(facts.initPackages)).toEqual(['@aws-sdk/client-dynamodb']);
    expect(sdkClients(facts.packages)).toEqual([
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/client-scheduler',
      '@aws-sdk/client-sqs',
    ]);
    expect(facts.packages).not.toContain('croner');
    expect(facts.files).toBeGreaterThan(1);
  });

  it("keeps of the DynamoDB SDK only the commands the store sends, not its aggregated client's every command", async () => {
    // A module any code import()s keeps every export: an import() of the DynamoDB module in the composition root
    // once put the aggregated DynamoDB class, and with it every command's schema (~45 KB), in each worker.
    const result = await build({
      ...WORKER_BUILD_OPTIONS,
      splitting: false,
      stdin: { contents: worker, resolveDir: ROOT, sourcefile: 'worker.ts', loader: 'ts' },
      outfile: resolve(ROOT, 'node_modules/.cache/worker-bundle-test/one-file.mjs'),
      tsconfig: resolve(ROOT, 'tsconfig.json'),
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    // What survived tree shaking: the inputs with code in the output (metafile.inputs lists every file parsed).
    const output = Object.values(result.metafile.outputs)[0]!;
    const inputs = Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    expect(
      inputs.some((i) => i.endsWith('@aws-sdk/client-dynamodb/dist-es/commands/PutItemCommand.js')),
    ).toBe(true);
    expect(
      inputs.filter((i) =>
        /@aws-sdk\/client-dynamodb\/dist-es\/(DynamoDB|commands\/CreateTableCommand)\.js$/.test(i),
      ),
    ).toEqual([]);
  });
});
