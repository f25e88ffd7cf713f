import { formatMs } from '../job/duration.js';
import type { ResolvedFlowControl } from '../job/flow-control.js';

/**
 * A job's flow control in a few words, for the CLI's queue listing and the dashboard's job types: what an operator
 * needs to read a deferral (`concurrency 1 per key`, `throttle 10 per 1m, burst 5`). Undefined when it has none.
 */
export function flowText(flow: ResolvedFlowControl): string | undefined {
  const parts: string[] = [];
  if (flow.concurrency)
    parts.push(`concurrency ${flow.concurrency.limit}${flow.concurrency.key ? ' per key' : ''}`);
  if (flow.throttle) {
    const { limit, periodMs, burst, key } = flow.throttle;
    parts.push(
      `throttle ${limit} per ${formatMs(periodMs)}${key ? ' per key' : ''}${burst > 0 ? `, burst ${burst}` : ''}`,
    );
  }
  if (flow.tenant) parts.push('tenant');
  if (flow.group) parts.push('FIFO group');
  if (flow.priority) parts.push(`lane ${flow.priority}`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
