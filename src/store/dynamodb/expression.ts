import type { RecordChange } from '../record-change.js';
import type { AttributeValue } from './dynamodb-api.js';
import { encodeField, isIndexedStatus, STORAGE_ATTRIBUTES, shardOf, statusShardKey } from './job-item.js';

/** Collects the placeholders of one request's expressions; conditions are built from named clauses around it. */
export interface Expression {
  /**
   * `#attribute`: every name goes through a placeholder, so reserved words (`status`) need no special case. A name
   * that is no identifier (a map key such as a slot holder `job-1#1#k3x`) gets a numbered placeholder instead.
   */
  name(attribute: string): string;
  value(value: AttributeValue): string;
  number(value: number): string;
  string(value: string): string;
  params(): {
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  };
}

export function createExpression(): Expression {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const numbered = new Map<string, string>();
  let count = 0;
  const x: Expression = {
    name(attribute) {
      // Identifiers start with a letter, so they never meet the numbered `#_n` placeholders.
      let placeholder = IDENTIFIER.test(attribute) ? `#${attribute}` : numbered.get(attribute);
      if (placeholder === undefined) {
        placeholder = `#_${numbered.size}`;
        numbered.set(attribute, placeholder);
      }
      names[placeholder] = attribute;
      return placeholder;
    },
    value(value) {
      const placeholder = `:v${count++}`;
      values[placeholder] = value;
      return placeholder;
    },
    number: (value) => x.value({ N: String(value) }),
    string: (value) => x.value({ S: value }),
    params: () => ({
      ExpressionAttributeNames: names,
      ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
    }),
  };
  return x;
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** The UpdateExpression that applies `change` to the record of `jobId` (the twin of applyChange). */
export function updateExpression(
  x: Expression,
  jobId: string,
  change: RecordChange,
  claimToken?: string,
): string {
  const sets: string[] = [];
  for (const [field, value] of Object.entries(change.set)) {
    if (value !== undefined) sets.push(`${x.name(field)} = ${x.value(encodeField(field, value))}`);
  }
  for (const [field, value] of Object.entries(change.setIfAbsent ?? {})) {
    const name = x.name(field);
    sets.push(`${name} = if_not_exists(${name}, ${x.value(encodeField(field, value))})`);
  }
  if (change.bumpFence)
    sets.push(`${x.name('fence')} = if_not_exists(${x.name('fence')}, ${x.number(0)}) + ${x.number(1)}`);
  const removes = (change.remove ?? []).map((field) => x.name(field));
  const status = change.set.status;
  // The index is sparse (JOB_TABLE_SCHEMA): a record enters it only with an indexed status and leaves it
  // otherwise. Removing a key the item lacks changes no index, so running -> succeeded costs the index nothing.
  if (status !== undefined && isIndexedStatus(status)) {
    const shard = statusShardKey(status, shardOf(jobId));
    sets.push(`${x.name(STORAGE_ATTRIBUTES.statusShard)} = ${x.string(shard)}`);
  } else if (status !== undefined) {
    removes.push(x.name(STORAGE_ATTRIBUTES.statusShard));
  }
  if (claimToken !== undefined)
    sets.push(`${x.name(STORAGE_ATTRIBUTES.claimToken)} = ${x.string(claimToken)}`);
  return `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`;
}
