import { createServer, type Server } from 'node:http';

export interface WebhookServer {
  readonly baseUrl: string;
  /** Deliveries accepted, by idempotency key (a retried delivery that had got through counts once). */
  readonly accepted: Map<string, { endpointId: string; body: string }>;
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * A local receiver for the webhook demo. Endpoint "retired" answers 410 Gone, "down" always 503, every other
 * endpoint fails one request in three (a fixed pattern, so every run of the demo tells the same story).
 */
export async function startWebhookServer(): Promise<WebhookServer> {
  const accepted = new Map<string, { endpointId: string; body: string }>();
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const endpointId = decodeURIComponent(req.url?.split('/').pop() ?? '');
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on('end', () => {
      const status = statusFor(endpointId, requests);
      if (status === 200) accepted.set(String(req.headers['idempotency-key']), { endpointId, body });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/hooks`,
    accepted,
    get requests() {
      return requests;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function statusFor(endpointId: string, requestNumber: number): number {
  if (endpointId === 'retired') return 410;
  if (endpointId === 'down') return 503;
  return requestNumber % 3 === 1 ? 500 : 200;
}
