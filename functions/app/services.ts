import { createOutboxMailer, type Mailer } from './mailer';
import { createReportStore, type ReportStore } from './reports';
import { createUserDirectory, type UserDirectory } from './users';

/**
 * The example app's domain services. Jobs stay thin: they take ids, call these, and return. A real app would
 * back them with SES, a database and an HTTP client; the demo and tests use the in-memory versions.
 */
export interface AppServices {
  readonly users: UserDirectory;
  readonly mailer: Mailer;
  readonly reports: ReportStore;
  /** Where webhooks for an endpoint id are delivered. */
  readonly webhookUrl: (endpointId: string) => string;
}

let current: AppServices | undefined;

export function createInMemoryServices(webhookBaseUrl = 'http://127.0.0.1:9/hooks'): AppServices {
  return {
    users: createUserDirectory(),
    mailer: createOutboxMailer(),
    reports: createReportStore(),
    webhookUrl: (endpointId) => `${webhookBaseUrl}/${encodeURIComponent(endpointId)}`,
  };
}

/** Installs the services the jobs use (at start-up, or in a test). */
export function useServices(services: AppServices): void {
  current = services;
}

export function services(): AppServices {
  current ??= createInMemoryServices();
  return current;
}
