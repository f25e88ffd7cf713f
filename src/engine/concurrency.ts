/**
 * Jobs run at once unless told otherwise: the records of one Lambda batch, the worker process across its queues,
 * the embedded engine per queue. One number, so the three front doors behave alike by default.
 */
export const DEFAULT_CONCURRENCY = 10;
