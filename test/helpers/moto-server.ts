import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** A moto server process on a free loopback port. */
export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startMotoServer(): Promise<MotoServer> {
  // moto's server through scripts/moto-server.py, which applies DynamoDB requests one at a time as DynamoDB
  // does (moto's threaded server can let two racing conditional writes both pass). WHARF_MOTO_SERVER runs another.
  const root = resolve(import.meta.dirname, '../..');
  const python = resolve(root, '.venv/bin/python');
  const [bin, ...launch] = process.env.WHARF_MOTO_SERVER
    ? [process.env.WHARF_MOTO_SERVER]
    : [python, resolve(root, 'scripts/moto-server.py')];
  if (!bin || !existsSync(bin)) {
    throw new Error(`moto server not found at ${bin}: run scripts/ensure-moto.sh (npm test does it for you)`);
  }
  const port = await freePort();
  const child = spawn(bin, [...launch, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilUp(endpoint, child, () => stderr);
  return { endpoint, stop: () => stop(child) };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto server did not start within 30 s: ${stderr()}`);
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
