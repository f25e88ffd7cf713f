// The public-surface report: one api-extractor report per subpath of package.json "exports", committed under api/.
// `npm run api:update` rewrites them; test/api/api-report.test.ts checks them. Declarations are built into a
// temporary folder, never into dist/: the consumer test builds and packs dist/ while the suite runs.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CompilerState,
  Extractor,
  ExtractorConfig,
  ExtractorLogLevel,
  type ExtractorMessage,
  ExtractorMessageCategory,
  ExtractorMessageId,
  type IConfigFile,
} from '@microsoft/api-extractor';
import type ts from 'typescript';

const require = createRequire(import.meta.url);
export const ROOT = resolve(import.meta.dirname, '../..');
export const REPORT_FOLDER = join(ROOT, 'api');

export interface EntryReport {
  /** The subpath as users import it: `wharf-jobs`, `wharf-jobs/aws`... */
  readonly specifier: string;
  /** `api/<file>`: `wharf-jobs.api.md`, `wharf-jobs-aws.api.md`... */
  readonly reportFile: string;
  /** The report differs from the committed one (in check mode: left as it was; in update mode: rewritten). */
  readonly changed: boolean;
  /** Errors and warnings api-extractor raised that are not written into the report itself. */
  readonly problems: readonly string[];
}

interface PackageJson {
  readonly name: string;
  readonly exports: Readonly<Record<string, string | { readonly types?: string }>>;
}

/** Each exported subpath and the declaration file its `types` condition names, in package.json order. */
export function exportedEntries(): { specifier: string; types: string; reportName: string }[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
  return Object.entries(pkg.exports).flatMap(([subpath, target]) => {
    if (typeof target === 'string' || target.types === undefined) return []; // ./package.json
    const suffix = subpath === '.' ? '' : subpath.slice(2);
    return [
      {
        specifier: suffix === '' ? pkg.name : `${pkg.name}/${suffix}`,
        types: target.types,
        reportName: suffix === '' ? pkg.name : `${pkg.name}-${suffix.replaceAll('/', '-')}`,
      },
    ];
  });
}

/** Builds the declarations into a fresh temporary folder that resolves packages through the repo's node_modules. */
function buildDeclarations(): string {
  const folder = mkdtempSync(join(tmpdir(), 'wharf-api-'));
  // The .d.ts import aws-cdk-lib, the AWS SDK...: resolution walks up from the file, so the folder needs the
  // repo's node_modules; and "type": "module" so NodeNext reads the files as ESM, as dist/ is read.
  symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  const tsc = require.resolve('typescript/bin/tsc');
  const args = [
    tsc,
    '-p',
    join(ROOT, 'tsconfig.build.json'),
    '--outDir',
    join(folder, 'dist'),
    '--emitDeclarationOnly',
    '--declarationMap',
    'false',
    '--sourceMap',
    'false',
  ];
  try {
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    // tsc prints its diagnostics on stdout: say those, not the child process's buffers.
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(
      `the declarations do not build (tsc -p tsconfig.build.json):\n${stdout ?? ''}${stderr ?? ''}`,
    );
  }
  return folder;
}

function configFor(folder: string, mainEntryPointFilePath: string, reportName: string): IConfigFile {
  return {
    projectFolder: ROOT,
    mainEntryPointFilePath,
    compiler: {
      // Only the built declarations: analysing src/ and the tests as well would only slow every entry down.
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          skipLibCheck: true,
        },
        files: [mainEntryPointFilePath],
      },
    },
    newlineKind: 'lf',
    apiReport: {
      enabled: true,
      reportFileName: `${reportName}.api.md`,
      reportFolder: join(folder, 'report'),
      reportTempFolder: join(folder, 'report-temp'),
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Error } },
      extractorMessageReporting: {
        default: { logLevel: ExtractorLogLevel.Warning },
        // No @public/@beta tags: the subpath a symbol is exported from is its contract.
        'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
        // Documentation is judged in review, not counted by the report.
        'ae-undocumented': { logLevel: ExtractorLogLevel.None },
        // A type in an entry's surface that the entry does not export. Most are exported by another subpath
        // (`JobRegistry` in wharf-jobs/aws comes from wharf-jobs), which api-extractor cannot know: runApiReports
        // sorts them out, so the report carries no warning lines, only the declarations.
        'ae-forgotten-export': { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
      },
      // Our doc comments are read in editors, not rendered by a TSDoc tool; the report carries no comments.
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
}

/** The names each entry exports, read from the program api-extractor built (so re-exports and aliases count). */
function exportsByEntry(
  compilerState: CompilerState,
  entries: readonly { readonly specifier: string; readonly path: string }[],
): Map<string, Set<string>> {
  // api-extractor bundles its own TypeScript; Program and TypeChecker are the same API in ours.
  const program = compilerState.program as ts.Program;
  const checker = program.getTypeChecker();
  return new Map(
    entries.map((entry) => {
      const file = program.getSourceFile(entry.path);
      const symbol = file && checker.getSymbolAtLocation(file);
      if (!symbol) throw new Error(`api-extractor's program has no module for ${entry.path}`);
      return [entry.specifier, new Set(checker.getExportsOfModule(symbol).map((s) => s.name))];
    }),
  );
}

/**
 * The report without the lines api-extractor writes on every declaration of a package that uses no release tags
 * and documents in plain comments (`// @public`, `// (undocumented)`), titled with the subpath users import.
 */
export function readable(report: string, specifier: string): string {
  const [, ...rest] = report.split('\n');
  const body = rest
    .filter((line) => !/^\s*\/\/ (@public|\(undocumented\)|@public \(undocumented\))$/.test(line))
    .join('\n')
    .replace(
      /^> Do not edit this file\..*$/m,
      '> Do not edit this file: `npm run api:update` writes it with [API Extractor](https://api-extractor.com/), ' +
        'and `test/api/api-report.test.ts` checks it.',
    );
  return [`## API report of ${specifier}`, body].join('\n');
}

function describeMessage(message: ExtractorMessage): string {
  const where = message.sourceFilePath ? ` (${message.sourceFilePath}:${message.sourceFileLine ?? 0})` : '';
  return `${message.logLevel} ${message.messageId}: ${message.text}${where}`;
}

/**
 * Runs api-extractor on every exported subpath. `update: false` compares with api/ and changes nothing;
 * `update: true` rewrites the reports that differ.
 */
export function runApiReports({ update }: { readonly update: boolean }): EntryReport[] {
  const folder = buildDeclarations();
  try {
    mkdirSync(REPORT_FOLDER, { recursive: true });
    mkdirSync(join(folder, 'report'), { recursive: true });
    const entries = exportedEntries().map((entry) => ({
      ...entry,
      path: join(folder, entry.types.replace(/^\.\/dist\//, 'dist/')),
    }));
    const packageJsonFullPath = join(ROOT, 'package.json');
    const prepare = (entry: (typeof entries)[number]) =>
      ExtractorConfig.prepare({
        configObject: configFor(folder, entry.path, entry.reportName),
        configObjectFullPath: undefined,
        packageJsonFullPath,
      });
    // One TypeScript program for every entry: building it is most of api-extractor's time.
    const [first, ...rest] = entries;
    if (!first) throw new Error('package.json "exports" names no entry with types');
    const compilerState = CompilerState.create(prepare(first), {
      additionalEntryPoints: rest.map((entry) => entry.path),
    });
    const exportedBy = exportsByEntry(compilerState, entries);
    return entries.map((entry) => {
      const problems: string[] = [];
      Extractor.invoke(prepare(entry), {
        // Always write to the temporary folder: the comparison with api/ is ours, on the cleaned text.
        localBuild: true,
        compilerState,
        messageCallback(message) {
          // Progress lines stay quiet; everything else is returned, not printed.
          message.handled = true;
          if (message.category === ExtractorMessageCategory.Console) return;
          if (message.messageId === ExtractorMessageId.ForgottenExport) {
            const name = /symbol "([^"]+)"/.exec(message.text)?.[1] ?? message.text;
            if (
              [...exportedBy].some(([specifier, names]) => specifier !== entry.specifier && names.has(name))
            ) {
              return; // users import it from that subpath
            }
            problems.push(
              `${name} is part of the surface of ${entry.specifier} but no entry exports it: export it from the ` +
                `entry that owns it (${describeMessage(message)})`,
            );
            return;
          }
          if (
            message.logLevel === ExtractorLogLevel.Error ||
            message.logLevel === ExtractorLogLevel.Warning
          ) {
            problems.push(describeMessage(message));
          }
        },
      });
      const reportFile = `${entry.reportName}.api.md`;
      const generated = readable(readFileSync(join(folder, 'report', reportFile), 'utf8'), entry.specifier);
      const committedPath = join(REPORT_FOLDER, reportFile);
      const committed = existsSync(committedPath) ? readFileSync(committedPath, 'utf8') : undefined;
      const changed = committed !== generated;
      if (changed && update) writeFileSync(committedPath, generated);
      return { specifier: entry.specifier, reportFile, changed, problems };
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

// `npm run api:update`: rewrite api/ and say what changed.
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const update = process.argv.includes('--update');
  const reports = runApiReports({ update });
  let failed = false;
  for (const report of reports) {
    const state = report.changed ? (update ? 'updated' : 'CHANGED') : 'unchanged';
    console.log(`${state.padEnd(9)} api/${report.reportFile}  (${report.specifier})`);
    for (const problem of report.problems) console.log(`          ${problem}`);
    failed ||= report.problems.length > 0 || (report.changed && !update);
  }
  process.exitCode = failed ? 1 : 0;
}
