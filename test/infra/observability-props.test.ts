import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { type CfnFunction, Tracing } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { WharfJobs } from 'wharf-jobs/cdk';
import { environmentSize, LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../../src/cdk/environment-size';
import { ENV_VARIABLES } from '../../src/config/env-config';
import { lintedTemplate } from '../helpers/templates-to-lint';
import {
  type Built,
  build,
  defaultBuilt,
  FIXTURE_WORKER,
  logicalId,
  registryOf,
  templateOf,
} from './fixtures';

type FunctionProps = {
  Environment: { Variables: Record<string, unknown> };
  TracingConfig?: { Mode: string };
  Role: { 'Fn::GetAtt': [string, string] };
};
const functionProps = (b: Built, fn: { node: { defaultChild?: unknown } }): FunctionProps =>
  templateOf(b).toJSON().Resources[logicalId(b, fn)].Properties;
const functionsOf = (b: Built) => [
  ...Object.values(b.jobs.workers),
  ...(b.jobs.outbox ? [b.jobs.outbox.relay] : []),
];
const XRAY_WRITE = {
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Effect: 'Allow',
  Resource: '*',
};

describe('observability props on the functions', () => {
  it('by default: metrics in namespace Wharf, Powertools tracing on, active X-Ray tracing with its write grant', () => {
    const built = build({ outbox: true });
    for (const fn of Object.values(built.jobs.workers)) {
      const props = functionProps(built, fn);
      expect(props.Environment.Variables).toMatchObject({
        WHARF_METRICS_NAMESPACE: 'Wharf',
        POWERTOOLS_TRACE_ENABLED: 'true',
      });
      expect(props.Environment.Variables).not.toHaveProperty(ENV_VARIABLES.metrics);
      expect(props.Environment.Variables).not.toHaveProperty('POWERTOOLS_LOG_LEVEL');
    }
    for (const fn of functionsOf(built)) {
      const props = functionProps(built, fn);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      const role = props.Role['Fn::GetAtt'][0];
      templateOf(built).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: role }],
        PolicyDocument: { Statement: Match.arrayWith([XRAY_WRITE]) },
      });
    }
    // The relay runs no job: it traces and logs, and has no job-type metrics to name.
    const relay = functionProps(built, built.jobs.outbox!.relay).Environment.Variables;
    expect(relay.POWERTOOLS_TRACE_ENABLED).toBe('true');
    expect(relay).not.toHaveProperty(ENV_VARIABLES.metricsNamespace);
  });

  it('sets the namespace and the log level on every worker, and the log level on the outbox relay', () => {
    const built = build({ outbox: true, observability: { namespace: 'Shop/Jobs', logLevel: 'DEBUG' } });
    for (const fn of Object.values(built.jobs.workers)) {
      expect(functionProps(built, fn).Environment.Variables).toMatchObject({
        WHARF_METRICS_NAMESPACE: 'Shop/Jobs',
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
      });
    }
    expect(functionProps(built, built.jobs.outbox!.relay).Environment.Variables).toMatchObject({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
  });

  it('turns the worker metrics off with `metrics: false` (WHARF_METRICS=off, no namespace)', () => {
    const built = build({ observability: { metrics: false } });
    for (const fn of Object.values(built.jobs.workers)) {
      const variables = functionProps(built, fn).Environment.Variables;
      expect(variables.WHARF_METRICS).toBe('off');
      expect(variables).not.toHaveProperty(ENV_VARIABLES.metricsNamespace);
    }
  });

  it('with tracing DISABLED: no X-Ray on the functions, no grant, and POWERTOOLS_TRACE_ENABLED=false', () => {
    const built = build({ outbox: true, tracing: Tracing.DISABLED });
    for (const fn of functionsOf(built)) {
      const props = functionProps(built, fn);
      expect(props.TracingConfig).toBeUndefined();
      expect(props.Environment.Variables.POWERTOOLS_TRACE_ENABLED).toBe('false');
    }
    const statements = Object.values(templateOf(built).findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as unknown[],
    );
    expect(statements).not.toContainEqual(XRAY_WRITE);
  });

  it('keeps the observability variables over a queue’s own `environment`, like the WHARF_* ones', () => {
    const built = build({
      observability: { namespace: 'Shop' },
      queues: { emails: { environment: { WHARF_METRICS_NAMESPACE: 'Other', CUSTOM: 'x' } } },
    });
    expect(functionProps(built, built.jobs.workers.emails!).Environment.Variables).toMatchObject({
      WHARF_METRICS_NAMESPACE: 'Shop',
      CUSTOM: 'x',
    });
  });

  it('counts the variables in the 4 KB check: ten queues fit with the longest namespace and a log level', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'OrdersServiceProduction');
    const queues = Array.from({ length: 10 }, (_, i) => `queue-number-${i}`);
    const namespace = 'N'.repeat(255);
    const jobs = new WharfJobs(stack, 'WharfJobs', {
      registry: registryOf(...queues.map((queue, i) => ({ name: `job-${i}`, queue }))),
      workerEntry: FIXTURE_WORKER,
      observability: { namespace, logLevel: 'ERROR' },
    });
    expect(() => lintedTemplate(stack)).not.toThrow();
    const plain = environmentSize(defaultBuilt().jobs.workers.default!.node.defaultChild as CfnFunction);
    for (const worker of Object.values(jobs.workers)) {
      const { bytes } = environmentSize(worker.node.defaultChild as CfnFunction);
      expect(bytes).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);
      expect(bytes).toBeGreaterThan(plain.bytes + namespace.length);
    }
  });

  it('fails synth for a namespace CloudWatch refuses and a log level Powertools does not know', () => {
    expect(() => build({ observability: { namespace: 'AWS/Lambda', logLevel: 'LOUD' as never } })).toThrow(
      /observability\.namespace: "AWS\/Lambda" is not a CloudWatch namespace[\s\S]*observability\.logLevel: "LOUD" is not one of DEBUG, INFO, WARN, ERROR, SILENT/,
    );
    expect(() => build({ observability: { namespace: 'has "quotes"' } })).toThrow(
      /is not a CloudWatch namespace/,
    );
  });
});
