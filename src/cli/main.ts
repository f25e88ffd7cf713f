#!/usr/bin/env node
import { runCli } from './program.js';

// The `wharf` command: package.json "bin" points at the compiled dist/cli/main.js, which runs on plain Node.
process.exitCode = await runCli(process.argv);
