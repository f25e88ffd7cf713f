import { runCli } from './program';

// The `wharf` command (bin/wharf.js loads this file through tsx).
process.exitCode = await runCli(process.argv);
