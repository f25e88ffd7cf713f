import { decodeEnvelope } from '../envelope/decode.js';
import { errorMessage } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import { validatePayload } from '../job/validate-payload.js';
import type { HeldMessage } from '../transport/admin-types.js';
import type { BulkFailure, DeadLetterView } from './types.js';

/**
 * Why a dead letter should not be sent back, checked before the copy so that a retry that cannot work leaves
 * the dead letter where it is, with a clear reason (S34: the job's code changed and no longer accepts the
 * payload). Without a registry, or for a job the registry does not know, the worker decides: it dead-letters
 * an invalid payload again with reason `invalid-payload`, which is also what a move task leads to.
 */
export async function retryProblem(
  registry: JobRegistry | undefined,
  view: DeadLetterView,
  message: HeldMessage,
): Promise<BulkFailure | undefined> {
  const who = {
    queue: view.queue,
    messageId: view.messageId,
    ...(view.jobId !== undefined ? { jobId: view.jobId } : {}),
  };
  const decoded = decodeEnvelope(message.body);
  if (!decoded.ok) {
    return {
      ...who,
      code: 'WHARF_BAD_ENVELOPE',
      message:
        `not a wharf envelope (${decoded.reason}: ${decoded.message}); a retry would only dead-letter it again, ` +
        'so it stays in the DLQ: inspect it, then discard it',
    };
  }
  const job = registry?.get(decoded.envelope.job);
  if (!job) return undefined;
  const validation = await safeValidate(job.schema, decoded.envelope.payload);
  if (validation.ok) return undefined;
  return {
    ...who,
    code: 'WHARF_INVALID_PAYLOAD',
    message:
      `the payload no longer matches the schema of job "${job.name}" (${validation.issues.join('; ')}); ` +
      'it stays in the DLQ: deploy code that accepts it (or an upcaster), or discard it',
  };
}

async function safeValidate(schema: Parameters<typeof validatePayload>[0], payload: unknown) {
  try {
    return await validatePayload(schema, payload);
  } catch (error) {
    return {
      ok: false as const,
      issues: [`the schema threw: ${errorMessage(error)}`],
    };
  }
}
