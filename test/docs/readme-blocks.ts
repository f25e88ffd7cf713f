// Typechecks the TypeScript blocks of the READMEs as printed, under the repository's tsconfig.json (strict, with
// `wharf-jobs` resolving to src/ through its paths), in memory: nothing is written to disk.
//
// - A block fenced ```ts file=PATH is a file of the reader's own project ("Your first job"): the blocks of one
//   document with file= form one project, compiled as they are, with no stubs.
// - Any other ```ts block is a fragment, compiled as a module of its own, as if it sat beside its document (so
//   relative imports are relative to the document). The reader's own things it uses (a users repository, the job
//   an earlier block defined, a CDK stack) come from test/docs/readme-stubs.ts: a name the block uses but neither
//   declares nor imports is imported from there, when the stubs export it.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const ROOT = resolve(import.meta.dirname, '../..');
export const STUBS = join(ROOT, 'test/docs/readme-stubs.ts');

export interface Block {
  /** The document, relative to the repository root. */
  readonly doc: string;
  /** The line of the block's first code line in the document (1-based). */
  readonly line: number;
  readonly lang: string;
  /** `file=PATH` from the info string: a complete file of the reader's project. */
  readonly file?: string;
  readonly code: string;
}

/**
 * Every fenced block of a Markdown document, with its language and `file=` attribute. A block may be indented (a
 * code block inside a list item): its lines lose the fence's indentation.
 */
export function extractBlocks(doc: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let open:
    | { lang: string; file: string | undefined; indent: string; start: number; code: string[] }
    | undefined;
  lines.forEach((text, index) => {
    if (open === undefined) {
      const fence = /^( *)```(\w+)(.*)$/.exec(text);
      if (fence) {
        const file = /(?:^|\s)file=(\S+)/.exec(fence[3] ?? '')?.[1];
        open = { lang: fence[2] ?? '', file, indent: fence[1] ?? '', start: index + 2, code: [] };
      }
      return;
    }
    if (/^ *```\s*$/.test(text)) {
      const { lang, file, start, code } = open;
      blocks.push({ doc, line: start, lang, code: `${code.join('\n')}\n`, ...(file ? { file } : {}) });
      open = undefined;
      return;
    }
    open.code.push(text.startsWith(open.indent) ? text.slice(open.indent.length) : text);
  });
  return blocks;
}

export function readDocBlocks(docs: readonly string[]): Block[] {
  return docs.flatMap((doc) => extractBlocks(doc, readFileSync(join(ROOT, doc), 'utf8')));
}

export function isTypeScript(block: Block): boolean {
  return block.lang === 'ts' || block.lang === 'typescript';
}

/** Where a block lives in the in-memory file system. */
export function virtualPath(block: Block): string {
  const slug = block.doc.replaceAll(/[^\w]/g, '_');
  if (block.file) return join(ROOT, '.readme-projects', slug, block.file);
  return join(dirname(join(ROOT, block.doc)), `.readme-${slug}-L${block.line}.ts`);
}

export interface BlockResult {
  readonly block: Block;
  /** `doc:line: message`, with the line in the document. */
  readonly problems: readonly string[];
  /** Stub names imported into the block. */
  readonly stubbed: readonly string[];
}

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  return {
    ...parsed.options,
    noEmit: true,
    // file= blocks import each other with .ts extensions, as Node's type stripping needs.
    allowImportingTsExtensions: true,
    // A fragment without import or export is still a module (top-level await).
    moduleDetection: ts.ModuleDetectionKind.Force,
  };
}

function createProgram(
  files: ReadonlyMap<string, string>,
  options: ts.CompilerOptions,
  roots: readonly string[],
  old?: ts.Program,
) {
  const host = ts.createCompilerHost(options);
  const dirs = new Set([...files.keys()].flatMap((f) => ancestors(dirname(f))));
  const { fileExists, readFile, getSourceFile, directoryExists } = host;
  host.fileExists = (f) => files.has(f) || fileExists.call(host, f);
  host.readFile = (f) => files.get(f) ?? readFile.call(host, f);
  host.directoryExists = (d) => dirs.has(d) || (directoryExists?.call(host, d) ?? ts.sys.directoryExists(d));
  host.getSourceFile = (f, language, onError, shouldCreate) => {
    const text = files.get(f);
    if (text !== undefined) return ts.createSourceFile(f, text, language);
    return getSourceFile.call(host, f, language, onError, shouldCreate);
  };
  return ts.createProgram({
    rootNames: [...files.keys(), STUBS, ...roots],
    options,
    host,
    ...(old ? { oldProgram: old } : {}),
  });
}

function ancestors(dir: string): string[] {
  const parent = dirname(dir);
  return parent === dir || !dir.startsWith(ROOT) ? [] : [dir, ...ancestors(parent)];
}

function problemsOf(program: ts.Program, file: string, block: Block): string[] {
  const source = program.getSourceFile(file);
  if (!source) return [`${block.doc}:${block.line}: not compiled`];
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) => {
    const line = d.start === undefined ? 0 : source.getLineAndCharacterOfPosition(d.start).line;
    return `${block.doc}:${block.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

// Cannot find name 'x' (2304, 2552 with a suggestion); no value for the shorthand property 'x' (18004).
const CANNOT_FIND_NAME = new Set([2304, 2552, 18004]);

function missingNames(program: ts.Program, file: string): Set<string> {
  const source = program.getSourceFile(file);
  const names = new Set<string>();
  if (!source) return names;
  for (const d of program.getSemanticDiagnostics(source)) {
    if (!CANNOT_FIND_NAME.has(d.code)) continue;
    const name = /(?:Cannot find name|shorthand property) '([^']+)'/.exec(
      ts.flattenDiagnosticMessageText(d.messageText, '\n'),
    )?.[1];
    if (name) names.add(name);
  }
  return names;
}

export function exportsOf(program: ts.Program, file: string): Set<string> {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const symbol = source && checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`no module for ${file}`);
  return new Set(checker.getExportsOfModule(symbol).map((s) => s.name));
}

/** Every export of every `wharf-jobs` subpath, resolved as the blocks resolve them. */
export function wharfExports(program: ts.Program, specifiers: readonly string[]): Set<string> {
  const options = program.getCompilerOptions();
  return new Set(
    specifiers.flatMap((specifier) => [...exportsOf(program, resolveEntry(specifier, options))]),
  );
}

function resolveEntry(specifier: string, options: ts.CompilerOptions): string {
  const resolved = ts.resolveModuleName(specifier, join(ROOT, 'index.ts'), options, ts.sys).resolvedModule;
  if (!resolved) throw new Error(`${specifier} does not resolve`);
  return resolved.resolvedFileName;
}

/** The import specifiers of package.json "exports": `wharf-jobs`, `wharf-jobs/aws`... */
export function packageSpecifiers(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, unknown>;
  };
  return Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`));
}

/**
 * Compiles every TypeScript block: once as printed, then once more with the stub names each fragment misses
 * imported (at the end of the block, so that line numbers stay the document's).
 */
export function checkBlocks(
  blocks: readonly Block[],
  specifiers: readonly string[],
): { results: BlockResult[]; program: ts.Program } {
  const options = compilerOptions();
  // Every entry in the program, so that wharfExports can read each one's exports.
  const roots = specifiers.map((specifier) => resolveEntry(specifier, options));
  const ts_ = blocks.filter(isTypeScript);
  const files = new Map(ts_.map((b) => [virtualPath(b), b.code]));
  if (files.size !== ts_.length) throw new Error('two blocks share one file= path or line');
  const first = createProgram(files, options, roots);
  const stubNames = exportsOf(first, STUBS);
  const stubbed = new Map<string, string[]>();
  for (const block of ts_) {
    if (block.file) continue; // complete files get no help
    const path = virtualPath(block);
    const names = [...missingNames(first, path)].filter((n) => stubNames.has(n)).sort();
    if (names.length === 0) continue;
    stubbed.set(path, names);
    const from = `./${relativeImport(dirname(path), STUBS)}`;
    files.set(path, `${block.code}import { ${names.join(', ')} } from '${from}';\n`);
  }
  const program = stubbed.size === 0 ? first : createProgram(files, options, roots, first);
  const results = ts_.map((block) => {
    const path = virtualPath(block);
    return { block, problems: problemsOf(program, path, block), stubbed: stubbed.get(path) ?? [] };
  });
  return { results, program };
}

function relativeImport(fromDir: string, file: string): string {
  return relative(fromDir, file).replace(/\.ts$/, '');
}
