import type { Template } from 'aws-cdk-lib/assertions';

/** One widget of a dashboard body, as CloudWatch reads it. */
export interface DashboardWidget {
  readonly type: string;
  readonly width: number;
  readonly properties: {
    readonly title?: string;
    readonly markdown?: string;
    readonly stacked?: boolean;
    /** `[namespace, metricName, dimension, value, ..., options]` per line. */
    readonly metrics?: readonly (readonly unknown[])[];
  };
}

/**
 * The widgets of the template's one dashboard. The body is an Fn::Join of JSON and references (the region, queue
 * names); each reference is read as the string "<ref>", which keeps the JSON valid and the test about our values.
 */
export function dashboardWidgets(template: Template): DashboardWidget[] {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  const body = dashboards[0]!.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const json =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<ref>')).join('');
  return (JSON.parse(json) as { widgets: DashboardWidget[] }).widgets;
}

/** A metric line as `{ namespace, metric, dimensions, stat }`. */
export function metricLine(line: readonly unknown[]): {
  namespace: unknown;
  metric: unknown;
  dimensions: Record<string, unknown>;
  stat: unknown;
  dimensionNames: string[];
} {
  const [namespace, metric, ...rest] = line;
  const options = (typeof rest.at(-1) === 'object' ? rest.pop() : {}) as { stat?: unknown };
  const dimensions: Record<string, unknown> = {};
  const dimensionNames: string[] = [];
  for (let i = 0; i < rest.length; i += 2) {
    dimensions[rest[i] as string] = rest[i + 1];
    dimensionNames.push(rest[i] as string);
  }
  return { namespace, metric, dimensions, stat: options.stat, dimensionNames };
}
