import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineJob } from '../../src/define-job';
import { DEFAULT_CONCURRENCY } from '../../src/engine/concurrency';
import { MAX_ENQUEUE_BYTES, STORY_HEADROOM_BYTES } from '../../src/envelope/decode';
import { MAX_SQS_DELAY_SECONDS } from '../../src/envelope/outgoing';
import { InvalidOptionsError } from '../../src/errors';
import { createRegistry } from '../../src/job/registry';
import { createLocalEngine } from '../../src/local/local-engine';
import { SQS_LIMITS } from '../../src/transport/message-limits';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string = SRC): { file: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.c?ts$/.test(name) ? [{ file: relative(SRC, path), text: readFileSync(path, 'utf8') }] : [];
  });
}

function filesWith(pattern: RegExp): string[] {
  return sources()
    .filter(({ text }) => pattern.test(text))
    .map(({ file }) => file);
}

describe('one name per idea', () => {
  it('exports no two functions, constants or classes under the same name from different files', () => {
    const owners = new Map<string, string[]>();
    for (const { file, text } of sources()) {
      for (const match of text.matchAll(/^export (?:async )?(?:function|const|class) ([A-Za-z0-9_]+)/gm)) {
        owners.set(match[1]!, [...(owners.get(match[1]!) ?? []), file]);
      }
    }
    const shared = [...owners]
      .filter(([, files]) => files.length > 1)
      .map(([name, files]) => `${name}: ${files}`);
    expect(shared).toEqual([]);
  });
});

describe('one constant per fact', () => {
  it("writes SQS's 1 MiB message limit once", () => {
    expect(filesWith(/1_048_576|1048576|1024 \* 1024/)).toEqual(['transport/message-limits.ts']);
    expect(MAX_ENQUEUE_BYTES).toBe(SQS_LIMITS.maxMessageBytes - STORY_HEADROOM_BYTES);
  });

  it("writes SQS's 15-minute delay limit once", () => {
    expect(MAX_SQS_DELAY_SECONDS).toBe(SQS_LIMITS.maxDelaySeconds);
    expect(filesWith(/= 900;|: 900,/).filter((file) => file !== 'cdk/queue-settings.ts')).toEqual([
      'transport/message-limits.ts',
    ]);
  });

  it('spells out the job statuses once', () => {
    expect(filesWith(/'queued',\s*'running',\s*'succeeded'/)).toEqual(['store/types.ts']);
  });

  it('writes the default concurrency once, and the front doors use it', () => {
    expect(DEFAULT_CONCURRENCY).toBe(10);
    expect(filesWith(/concurrency \?\? 10\b|DEFAULT_CONCURRENCY = 10\b|Math\.min\(10,/)).toEqual([
      'engine/concurrency.ts',
    ]);
  });
});

describe('the embedded engine concurrency', () => {
  const ping = defineJob({ name: 'ping', schema: z.object({}), perform: () => undefined });

  it.each([0, 11, 50, 2.5])('refuses %s instead of silently running another number', (concurrency) => {
    expect(() => createLocalEngine({ registry: createRegistry([ping]), concurrency })).toThrow(
      InvalidOptionsError,
    );
  });

  it('takes 1 to 10, one receive of messages per queue', () => {
    for (const concurrency of [1, 10])
      createLocalEngine({ registry: createRegistry([ping]), concurrency }).close();
  });
});
