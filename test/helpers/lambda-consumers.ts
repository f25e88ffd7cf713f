import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { motoEndpoint, uniqueName } from './aws';
import { emulatorAuthorization, lambdaApi } from './lambda-rest-api';
import { zipDirectory } from './zip';

/**
 * A Lambda function on moto and event source mappings from queues to it: what the construct deploys for a queue's
 * worker, made directly (moto keeps functions and mappings; it cannot run the code, which pausing never needs).
 */
export async function createFunction(
  prefix: string,
  options: { readonly memorySize?: number } = {},
): Promise<{ name: string; arn: string }> {
  const roleName = uniqueName(`${prefix}-role`);
  const assume = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  // moto checks that the function's role exists; IAM's query API, as plain HTTP (no IAM client is pinned).
  const iam = await fetch(`${motoEndpoint()}/`, {
    method: 'POST',
    headers: {
      authorization: emulatorAuthorization('iam'),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: roleName,
      AssumeRolePolicyDocument: assume,
    }).toString(),
  });
  if (!iam.ok) throw new Error(`CreateRole answered ${iam.status}: ${await iam.text()}`);
  const dir = mkdtempSync(join(tmpdir(), 'wharf-fn-'));
  writeFileSync(join(dir, 'index.js'), 'exports.handler = async () => ({ batchItemFailures: [] });\n');
  const name = uniqueName(prefix);
  const created = (await lambdaApi(motoEndpoint(), '/2015-03-31/functions', {
    method: 'POST',
    body: JSON.stringify({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: `arn:aws:iam::123456789012:role/${roleName}`,
      Code: { ZipFile: zipDirectory(dir).toString('base64') },
      ...(options.memorySize === undefined ? {} : { MemorySize: options.memorySize }),
    }),
  })) as { FunctionArn: string };
  return { name, arn: created.FunctionArn };
}

export async function createMapping(
  queueArn: string,
  functionName: string,
  options: { readonly enabled?: boolean } = {},
): Promise<string> {
  const created = (await lambdaApi(motoEndpoint(), '/2015-03-31/event-source-mappings/', {
    method: 'POST',
    body: JSON.stringify({
      EventSourceArn: queueArn,
      FunctionName: functionName,
      BatchSize: 10,
      Enabled: options.enabled ?? true,
    }),
  })) as { UUID: string };
  return created.UUID;
}

export async function mappingState(uuid: string): Promise<string> {
  const mapping = (await lambdaApi(motoEndpoint(), `/2015-03-31/event-source-mappings/${uuid}`)) as {
    State: string;
  };
  return mapping.State;
}
