#!/usr/bin/env node
// The `wharf` command. It runs the TypeScript sources through tsx, as every other entry of this package does
// (the package exports point at src/*.ts), so there is nothing to build after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
