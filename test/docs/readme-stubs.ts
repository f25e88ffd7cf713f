// What the README's TypeScript blocks use that belongs to the reader's own app, not to wharf-jobs: a users
// repository, a mailer, error classes, the jobs an earlier block defined, a CDK stack. readme-blocks.test.ts
// imports into a block only the names it uses and does not declare or import itself; a name wharf-jobs exports
// may never be stubbed here (the test refuses it), so a block that forgets a wharf-jobs import fails.
import type { Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { JobDefinition } from 'wharf-jobs';
import type { z } from 'zod';

// The example app's jobs and registry stand for "the jobs defined above": same names, same payloads.
export { dispatchWebhook } from '../../functions/jobs/dispatch-webhook';
export { importUsers } from '../../functions/jobs/import-users';
export { nightlyCleanup } from '../../functions/jobs/nightly-cleanup';
export { generateReport } from '../../functions/jobs/reports';
export { sendWelcomeEmail } from '../../functions/jobs/send-welcome-email';
export { registry } from '../../functions/registry';

export interface User {
  readonly id: string;
  readonly email: string;
}
export declare const users: { find(id: string): Promise<User | undefined> };
export declare const newUsers: readonly User[];
export declare const mailer: { send(mail: { to: string; idempotencyKey: string }): Promise<void> };
export declare const warehouse: {
  run(orderId: string, step: string): Promise<void>;
  ship(orderId: string, chargeId: string): Promise<void>;
};
export declare const crm: { sync(accountId: string): Promise<void> };
export declare const payments: {
  charge(orderId: string, options?: { idempotencyKey: string }): Promise<{ id: string }>;
};
export declare const search: { reindex(docId: string): Promise<void> };
export declare const jobId: string;
export declare class UserGoneError extends Error {}
export declare class TimeoutError extends Error {}

/** The Schedules section's invoice job. */
export declare const fulfilOrder: JobDefinition<z.ZodObject<{ orderId: z.ZodString }>, void>;
export declare const importRow: JobDefinition<z.ZodObject<{ line: z.ZodNumber; text: z.ZodString }>, void>;
export declare const rows: readonly { line: number; text: string }[];
export declare const importId: string;
export declare const notify: JobDefinition<z.ZodObject<{ importId: z.ZodString }>, void>;
export declare const summarize: JobDefinition<z.ZodObject<{ importId: z.ZodString }>, void>;
export declare const alert: JobDefinition<z.ZodObject<{ importId: z.ZodString }>, void>;
export declare const sendInvoice: JobDefinition<z.ZodObject<{ invoiceId: z.ZodString }>, void>;

export declare const stack: Stack;
export declare const apiFunction: LambdaFunction;
export declare const operatorRole: IRole;

/** The part of @sentry/node the "Hooks and error reporting" example uses (captureException with a context). */
export declare const Sentry: {
  captureException(
    error: unknown,
    context?: {
      level?: 'error' | 'warning';
      tags?: Record<string, string | number | undefined>;
      extra?: Record<string, unknown>;
    },
  ): string;
};
export declare const metrics: { timing(name: string, ms: number, tags?: Record<string, string>): void };
