import { createWorkerFromEnv, runUntilSignal } from 'wharf-jobs/worker';
import { registry } from './registry';
import { reportError } from './report-error';

// The example app's long-running worker, for containers or for a laptop against LocalStack or moto:
//   AWS_ENDPOINT_URL=http://127.0.0.1:5000 WHARF_QUEUE_URL_DEFAULT=... npx tsx functions/worker-process.ts
// SIGTERM (what ECS and Kubernetes send) finishes or releases running jobs before the process exits.
await runUntilSignal(createWorkerFromEnv({ registry, reportError }));
