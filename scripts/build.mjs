// npm run build: dist/ from src/ (ESM, .d.ts with declaration maps, source maps), as `npm pack` ships it.
import { chmodSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});
chmodSync('dist/cli/main.js', 0o755);
