export interface Email {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Mail providers dedupe on this; we pass the job id so a retried job cannot send twice. */
  readonly idempotencyKey: string;
}

/** The mailer port. The demo's outbox keeps mail in memory and ignores a repeated idempotency key. */
export interface Mailer {
  send(email: Email): Promise<void>;
  readonly outbox: readonly Email[];
}

export function createOutboxMailer(): Mailer {
  const outbox: Email[] = [];
  const seen = new Set<string>();
  return {
    outbox,
    async send(email) {
      if (seen.has(email.idempotencyKey)) return;
      seen.add(email.idempotencyKey);
      outbox.push(email);
    },
  };
}
