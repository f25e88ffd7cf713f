import { RemovalPolicy } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { emulatorOverrides } from '../../infra/emulator-context';

describe('the example app’s -c wharf:emulator', () => {
  it('changes nothing without a value: the production stack keeps its retained resources and every alarm', () => {
    expect(emulatorOverrides(undefined)).toEqual({});
  });

  it('makes the stack disposable on an emulator, and leaves out on ministack the metric-math alarms it cannot create', () => {
    expect(emulatorOverrides('localstack')).toEqual({ removalPolicy: RemovalPolicy.DESTROY });
    expect(emulatorOverrides('ministack')).toEqual({
      removalPolicy: RemovalPolicy.DESTROY,
      alarms: { newDeadLetters: { enabled: false }, deadLetterRate: { enabled: false } },
    });
  });

  it('refuses an emulator it does not know, naming those it does', () => {
    expect(() => emulatorOverrides('moto')).toThrow(/expected one of ministack, localstack/);
  });
});
