import { defineJob } from 'wharf-jobs';
import { z } from 'zod';
import { services } from '../app/services';

/** The receiver told us to stop: retrying cannot help. */
export class WebhookGoneError extends Error {
  readonly code = 'WEBHOOK_GONE';
  override name = 'WebhookGoneError';
}

/**
 * Delivers one event to an endpoint that may fail. Retried with exponential backoff; a 410 discards it; after
 * the last attempt it becomes a dead letter. The receiver dedupes on the Idempotency-Key header (the job id).
 */
export const dispatchWebhook = defineJob({
  name: 'dispatch-webhook',
  schema: z.object({
    endpointId: z.string().min(1),
    event: z.string().min(1),
    data: z.record(z.string(), z.unknown()),
  }),
  queue: 'webhooks',
  timeout: '10s',
  retry: {
    attempts: 4,
    backoff: { strategy: 'exponential', base: '2s', factor: 3, max: '5m', jitter: 0.2 },
    discardOn: [WebhookGoneError],
  },
  async perform({ endpointId, event, data }, ctx) {
    const response = await fetch(services().webhookUrl(endpointId), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': ctx.jobId },
      body: JSON.stringify({ event, data }),
      signal: ctx.signal,
    });
    if (response.status === 410) throw new WebhookGoneError(`endpoint ${endpointId} is gone`);
    if (response.status === 429)
      ctx.retryAfter({ seconds: Number(response.headers.get('retry-after') ?? 30) }, 'rate limited');
    if (!response.ok) throw new Error(`endpoint ${endpointId} answered HTTP ${response.status}`);
    return { status: response.status };
  },
});
