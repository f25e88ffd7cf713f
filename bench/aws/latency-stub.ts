import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An SQS endpoint that accepts SendMessage and SendMessageBatch (JSON protocol) and answers after a fixed delay,
 * as Sidekiq's load test fixes Redis latency. moto's SQS is Python on the same two cores and spends time per
 * message in proportion to queue length, so it measures moto; this measures what a producer does with round trips,
 * with the real SDK serialising every request. Nothing is stored.
 */
export interface LatencyStub {
  readonly endpoint: string;
  readonly queueUrl: string;
  requests(): number;
  stop(): Promise<void>;
}

interface Entry {
  readonly Id: string;
  readonly MessageBody: string;
}

export async function startLatencyStub(latencyMs: number): Promise<LatencyStub> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    readBody(req)
      .then((body) => setTimeout(() => answer(req, res, body), latencyMs))
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    queueUrl: `${endpoint}/123456789012/bench`,
    requests: () => requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(req: IncomingMessage, res: ServerResponse, body: string): void {
  const action = String(req.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
  const input = JSON.parse(body || '{}') as { MessageBody?: string; Entries?: Entry[] };
  let output: object;
  if (action === 'SendMessage') output = sent(input.MessageBody ?? '');
  else if (action === 'SendMessageBatch')
    output = {
      Successful: (input.Entries ?? []).map((e) => ({ Id: e.Id, ...sent(e.MessageBody) })),
      Failed: [],
    };
  else {
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'InvalidAction', message: `the stub does not answer ${action}` }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(JSON.stringify(output));
}

/** The SDK checks MD5OfMessageBody against what it sent, so the stub computes it as SQS does. */
function sent(body: string) {
  return { MessageId: randomUUID(), MD5OfMessageBody: createHash('md5').update(body).digest('hex') };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
