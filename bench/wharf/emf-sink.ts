import { JobMetrics } from 'wharf-jobs';

/**
 * Where the bench's wharf workers write their EMF metrics: counted, not printed. A deployed worker has metrics on
 * (createLambdaWorkerFromEnv's default), so the worker-time figure runs wharf with them on; the line's bytes are
 * what CloudWatch Logs would ingest, reported per job beside the figure.
 */
export const emfSink = { documents: 0, bytes: 0 };

export function benchMetrics(): JobMetrics {
  return new JobMetrics({
    write: (line) => {
      emfSink.documents++;
      emfSink.bytes += Buffer.byteLength(line) + 1;
    },
  });
}
