import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';

/** The optional peer dependencies of `wharf-jobs/cdk`: a service that only enqueues jobs installs neither. */
export const CDK_PEERS = ['aws-cdk-lib', 'constructs'] as const;

/**
 * Says, before the construct's own imports fail with a bare "Cannot find package", which packages a CDK app
 * needs. The entry files call it first and load the construct library only after it.
 */
export function assertCdkPeers(resolveFrom: string = import.meta.url): void {
  const require = createRequire(resolveFrom);
  const missing = CDK_PEERS.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new ConfigError(
    `wharf-jobs/cdk needs the peer dependencies aws-cdk-lib and constructs; ${missing.join(' and ')} ` +
      `${missing.length === 1 ? 'is' : 'are'} not installed. Add them to the CDK app: ` +
      'npm install --save-dev aws-cdk-lib constructs',
  );
}
