import { createHash } from 'node:crypto';
import { decodeEnvelope } from './decode.js';
import type { Envelope } from './envelope.js';

/** SQS's MessageDeduplicationId: 1-128 characters of printable ASCII (letters, digits and punctuation). */
const DEDUPLICATION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** Which copy of a job the id is for: a message on its queue, or its dead letter (which goes to another queue). */
export type CopyKind = 'queue' | 'dead-letter';

/**
 * The MessageDeduplicationId of a copy of a job sent to a FIFO queue. SQS drops a send whose id it saw within the
 * last 5 minutes, which makes a producer's retried SendMessage (a lost answer) harmless. So the id names the job
 * and which copy this is, never the SQS message: the job id, its attempt, its redrives and, for a redriven dead
 * letter or a dead letter, when it was dead-lettered. An operator's redrive of a dead letter within 5 minutes
 * of the job's first send therefore gets another id and is delivered, while the same dead letter copied twice
 * (a retried redrive) is one message. Hashed (SHA-256, hex) when the plain form is longer than 128 characters or
 * holds characters SQS refuses (job ids may have spaces or any Unicode).
 */
export function deduplicationIdOf(envelope: Envelope, kind: CopyKind): string {
  const parts = [
    kind === 'dead-letter' ? 'dl' : 'q',
    envelope.id,
    envelope.attempt,
    envelope.redrives ?? 0,
    envelope.deadLetter?.lastFailedAtMs ?? '',
  ];
  const plain = parts.join(':');
  if (DEDUPLICATION_ID_PATTERN.test(plain)) return plain;
  return createHash('sha256').update(plain, 'utf8').digest('hex');
}

/**
 * The group and deduplication id for a copy sent again as it was (an operator's redrive of a dead letter by
 * copy): read from its body, so a copy to a FIFO queue keeps its group. None when the body is not an envelope
 * with a group (a standard queue's message, or poison input, which a FIFO queue would refuse with why).
 */
export function groupKeysOfBody(
  body: string,
): { readonly groupId: string; readonly deduplicationId: string } | undefined {
  const decoded = decodeEnvelope(body);
  if (!decoded.ok || decoded.envelope.group === undefined) return undefined;
  return {
    groupId: decoded.envelope.group,
    deduplicationId: deduplicationIdOf(decoded.envelope, 'queue'),
  };
}
