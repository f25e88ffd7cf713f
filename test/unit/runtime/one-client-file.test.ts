import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Issue 11's acceptance line: exactly one file constructs each AWS SDK client (the composition root), so region,
// endpoint and the number of clients per process are decided in one place.
const SRC = resolve(import.meta.dirname, '../../../src');
const ROOT = 'runtime/aws-clients.ts';
const CLIENTS = [
  'SQSClient',
  'DynamoDBClient',
  'SchedulerClient',
  'CloudFormationClient',
  'CloudWatchClient',
] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(c|m)?ts$/.test(entry.name) ? [path] : [];
  });
}

/**
 * Each `new` expression that names the client before its statement ends: catches `new SQSClient(`,
 * `new sdk.CloudFormationClient(` and `new (await import('...')).DynamoDBClient(` alike.
 */
function constructions(text: string, client: string): number {
  return text.match(new RegExp(`\\bnew\\b[^;]*?\\b${client}\\s*\\(`, 'g'))?.length ?? 0;
}

function constructorsOf(client: string): Record<string, number> {
  const found: Record<string, number> = {};
  for (const file of sourceFiles(SRC)) {
    const count = constructions(readFileSync(file, 'utf8'), client);
    if (count > 0) found[relative(SRC, file)] = count;
  }
  return found;
}

describe('AWS SDK clients in src/', () => {
  it.each(CLIENTS)('constructs %s once, in the composition root only', (client) => {
    expect(constructorsOf(client)).toEqual({ [ROOT]: 1 });
  });

  it('would see a second construction, in any of the shapes the root could be bypassed with', () => {
    const sneaky = [
      'const a = new SQSClient({});',
      "const b = new (await import('./sqs-api.js')).SQSClient(config);",
      'const c = new sdk.SQSClient({ region });',
      'const d = new Map<string, SQSClient>();',
    ].join('\n');
    expect(constructions(sneaky, 'SQSClient')).toBe(3);
  });
});
