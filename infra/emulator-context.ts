import { RemovalPolicy } from 'aws-cdk-lib';
import type { WharfJobsProps } from 'wharf-jobs/cdk';

/** The emulators `-c wharf:emulator=<name>` knows. */
const EMULATORS = ['ministack', 'localstack'] as const;

/**
 * What the example stack changes when it is deployed to a local emulator (`npx cdk deploy -c wharf:emulator=ministack`,
 * README "Run your stack on your machine"): nothing of it is kept after `cdk destroy`, since a local stack is
 * thrown away, and on ministack the alarms its CloudFormation cannot create are left out: those on metric math (new
 * dead letters, `DIFF` of the visible count, and each job type's dead-letter rate); ministack creates only alarms
 * on a single metric. Without
 * the context value, nothing changes: production keeps the retained defaults and every alarm.
 */
export function emulatorOverrides(emulator: unknown): Pick<WharfJobsProps, 'removalPolicy' | 'alarms'> {
  if (emulator === undefined) return {};
  if (!EMULATORS.includes(emulator as (typeof EMULATORS)[number])) {
    throw new Error(
      `-c wharf:emulator=${String(emulator)}: expected one of ${EMULATORS.join(', ')}, or no value for AWS`,
    );
  }
  return {
    removalPolicy: RemovalPolicy.DESTROY,
    ...(emulator === 'ministack'
      ? { alarms: { newDeadLetters: { enabled: false }, deadLetterRate: { enabled: false } } }
      : {}),
  };
}
