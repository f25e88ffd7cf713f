import { runSimulation, type SimulationIdentityPolicy } from '@cloud-copilot/iam-simulate';
import type { IamRequest } from './iam-requests';

/**
 * Evaluates recorded IAM requests (aws-action-recorder.ts) against the policies of a synthesized template, with
 * an IAM policy simulator (@cloud-copilot/iam-simulate): the identity policies of the role, and the resource
 * policy of the resource where the template has one (queue policies, key policies). CloudFormation intrinsics
 * are resolved first with the concrete resources that play each logical resource (moto's queues and table), so
 * the policies and the requests speak of the same ARNs.
 *
 * Not modelled: service control policies, resource control policies, permission boundaries and session
 * policies (a deployment's account may add them; they can only take permissions away), and the managed
 * policies a role names by ARN (ManagedPolicyArns: their documents are not in the template).
 */

export interface Template {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Description?: string }>>;
}

/** What `Ref` and `Fn::GetAtt` give for one logical resource (`{ Ref: url, Arn: arn }` for a queue). */
export type PlayedResource = Readonly<Record<string, string>>;

export interface Deployment {
  readonly template: Template;
  readonly region: string;
  readonly accountId: string;
  /** The resources that play the template's logical resources, by logical id. */
  readonly played: Readonly<Record<string, PlayedResource>>;
  /** What AWS::StackId gives (the schedule group's name ends with a piece of it). */
  readonly stackId?: string;
}

/**
 * A template value with its intrinsics replaced: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` and the pseudo
 * parameters. A logical resource nobody plays (a log group) resolves to an ARN that no request names, so a
 * request on it is denied rather than allowed by accident.
 */
export function resolve(value: unknown, d: Deployment): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, d));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [first] = entries;
  if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::')))
    return intrinsic(first[0], first[1], d);
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v, d)]));
}

function intrinsic(name: string, args: unknown, d: Deployment): unknown {
  if (name === 'Fn::Split') {
    const [separator, source] = args as [string, unknown];
    return String(resolve(source, d)).split(separator);
  }
  return scalarIntrinsic(name, args, d);
}

function scalarIntrinsic(name: string, args: unknown, d: Deployment): string {
  switch (name) {
    case 'Ref':
      return attribute(String(args), 'Ref', d);
    case 'Fn::GetAtt': {
      const [id, attr] = Array.isArray(args) ? args : String(args).split('.');
      return attribute(String(id), String(attr), d);
    }
    case 'Fn::Join': {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((p) => String(resolve(p, d))).join(separator);
    }
    case 'Fn::Select': {
      const [index, list] = args as [number | string, unknown];
      const items = resolve(list, d);
      if (!Array.isArray(items)) break;
      return String(items[Number(index)]);
    }
    case 'Fn::Sub': {
      const [text, vars = {}] = (Array.isArray(args) ? args : [args]) as [string, Record<string, unknown>?];
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_, ref: string) => {
        if (ref in vars) return String(resolve(vars[ref], d));
        const [id, attr] = ref.split('.');
        return attribute(id!, attr ?? 'Ref', d);
      });
    }
  }
  throw new Error(`iam-simulation: cannot resolve ${name} (${JSON.stringify(args)})`);
}

function attribute(id: string, attr: string, d: Deployment): string {
  const pseudo: Record<string, string> = {
    'AWS::Region': d.region,
    'AWS::AccountId': d.accountId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackId':
      d.stackId ??
      `arn:aws:cloudformation:${d.region}:${d.accountId}:stack/Test/00000000-0000-0000-0000-000000000000`,
  };
  if (attr === 'Ref' && id in pseudo) return pseudo[id]!;
  return d.played[id]?.[attr] ?? `arn:aws:unplayed:${d.region}:${d.accountId}:${id}/${attr}`;
}

/** The identity policies of a role: its inline policies and every AWS::IAM::Policy attached to it, resolved. */
export function rolePolicies(d: Deployment, roleId: string): SimulationIdentityPolicy[] {
  const role = d.template.Resources[roleId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`iam-simulation: ${roleId} is not a role`);
  const inline = ((role.Properties as { Policies?: { PolicyName: string; PolicyDocument: unknown }[] })
    .Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[];
  const attached = Object.entries(d.template.Resources)
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) =>
      ((r.Properties as { Roles?: unknown[] }).Roles ?? []).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .map(([id, r]) => ({
      PolicyName: id,
      PolicyDocument: (r.Properties as { PolicyDocument: unknown }).PolicyDocument,
    }));
  return [...inline, ...attached].map((p) => ({ name: p.PolicyName, policy: resolve(p.PolicyDocument, d) }));
}

/** Resource policies by resource ARN: each queue's AWS::SQS::QueuePolicy and each key's key policy. */
export function resourcePolicies(d: Deployment): Map<string, unknown> {
  const policies = new Map<string, unknown>();
  for (const [id, r] of Object.entries(d.template.Resources)) {
    const props = r.Properties as Record<string, unknown>;
    if (r.Type === 'AWS::SQS::QueuePolicy') {
      for (const queue of props.Queues as unknown[]) {
        const queueId = (queue as { Ref: string }).Ref;
        policies.set(attribute(queueId, 'Arn', d), resolve(props.PolicyDocument, d));
      }
    }
    if (r.Type === 'AWS::KMS::Key') policies.set(attribute(id, 'Arn', d), resolve(props.KeyPolicy, d));
  }
  return policies;
}

export interface Principal {
  /** How a denial names it: `operator (Operator41AE602D)`. */
  readonly label: string;
  readonly arn: string;
  readonly policies: readonly SimulationIdentityPolicy[];
}

/**
 * The requests the principal's policies do not allow, one line each: `<role>: <action> on <resource>
 * (<decision>, from <call>)`. A request the simulator cannot evaluate (an unknown action, a resource of the
 * wrong type) is a denial too, with the simulator's reason.
 */
export async function deniedRequests(
  d: Deployment,
  principal: Principal,
  requests: readonly IamRequest[],
): Promise<string[]> {
  const resourcePolicyOf = resourcePolicies(d);
  const denied: string[] = [];
  for (const request of requests) {
    const result = await runSimulation(
      {
        identityPolicies: [...principal.policies],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: resourcePolicyOf.get(request.resource),
        request: {
          principal: principal.arn,
          action: request.action,
          resource: { resource: request.resource, accountId: d.accountId },
          // wharf's clients speak HTTPS to AWS (the queue policies deny anything else).
          contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
        },
      },
      {},
    );
    const decision =
      result.resultType === 'error'
        ? `not evaluated: ${JSON.stringify(result.errors)}`
        : result.overallResult;
    if (decision !== 'Allowed')
      denied.push(
        `${principal.label}: ${request.action} on ${request.resource} (${decision}, from ${request.from})`,
      );
  }
  return denied;
}
