import type {
  BatchResultErrorEntry,
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput,
  ServiceOutputTypes,
  SQSClient,
} from '@aws-sdk/client-sqs';

/** What to do with one SendMessageBatch entry: fail it, leave it out of the response, or let it through. */
export type EntryFault = { readonly senderFault: boolean; readonly code: string } | 'unaccounted' | undefined;

/** Decides per entry, given its body and how many times (1, 2...) a request has carried that body. */
export type FaultRule = (body: string, seen: number) => EntryFault;

/** Per-body counts of the SendMessageBatch requests that carried each body. */
export type SeenCounts = Map<string, number>;

/**
 * Makes SendMessageBatch answer like SQS under partial failure: entries the rule fails are taken out of the
 * request (SQS stores nothing for a failed entry) and added to the response's `Failed` list; 'unaccounted'
 * entries are taken out and listed nowhere. The rest reach the emulator and come back as it answers.
 */
export function injectBatchEntryFaults(client: SQSClient, rule: FaultRule): SeenCounts {
  const seen: SeenCounts = new Map();
  client.middlewareStack.add(
    (next, context) =>
      async (args): Promise<{ output: ServiceOutputTypes; response: unknown }> => {
        if (context.commandName !== 'SendMessageBatchCommand') return next(args);
        const input = args.input as SendMessageBatchCommandInput;
        const kept: NonNullable<SendMessageBatchCommandInput['Entries']> = [];
        const injected: BatchResultErrorEntry[] = [];
        for (const entry of input.Entries ?? []) {
          const body = entry.MessageBody ?? '';
          const count = (seen.get(body) ?? 0) + 1;
          seen.set(body, count);
          const fault = rule(body, count);
          if (fault === undefined) kept.push(entry);
          else if (fault !== 'unaccounted') {
            injected.push({
              Id: entry.Id,
              SenderFault: fault.senderFault,
              Code: fault.code,
              Message: 'injected by test',
            });
          }
        }
        // With every entry failed there is nothing to send: answer as SQS would, without a request.
        const result: { output: ServiceOutputTypes; response: unknown } =
          kept.length > 0
            ? await next({ ...args, input: { ...input, Entries: kept } })
            : { output: { $metadata: {}, Successful: [], Failed: [] }, response: undefined };
        const output = result.output as SendMessageBatchCommandOutput;
        return { ...result, output: { ...output, Failed: [...(output.Failed ?? []), ...injected] } };
      },
    { step: 'initialize', name: 'wharfTestBatchEntryFaults' },
  );
  return seen;
}

/**
 * Fails every SendMessageBatch request for which `when` returns true, as a server fault would after the SDK's
 * own retries. Returns the bodies of each failed request, in order.
 */
export function failBatchRequests(
  client: SQSClient,
  when: (bodies: readonly string[]) => boolean,
): string[][] {
  const failed: string[][] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const bodies = ((args.input as SendMessageBatchCommandInput).Entries ?? []).map(
        (e) => e.MessageBody ?? '',
      );
      if (!when(bodies)) return next(args);
      failed.push(bodies);
      throw Object.assign(new Error('We encountered an internal error. Please try again.'), {
        name: 'InternalError',
        $fault: 'server',
      });
    },
    { step: 'initialize', name: 'wharfTestBatchRequestFaults' },
  );
  return failed;
}
