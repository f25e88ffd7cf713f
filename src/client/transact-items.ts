import type { Clock } from '../clock.js';
import { ConfigError } from '../errors.js';
import type { JobRegistry } from '../job/registry.js';
import type { WharfClient } from './types.js';

export interface OutboxDeps {
  readonly clock: Clock;
  readonly registry?: JobRegistry;
  /** The job table the outbox entries go to; without it `transactItems` throws ConfigError. */
  readonly outboxTable?: string;
}

/** `client.transactItems` (README "Enqueue after commit"). BEING BUILT (issue 16, outbox slice). */
export function transactItemsMethod(_deps: OutboxDeps): WharfClient['transactItems'] {
  return async () => {
    throw new ConfigError('transactItems is being built (issue 16)');
  };
}
