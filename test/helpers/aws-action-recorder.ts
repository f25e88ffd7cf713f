/**
 * Records what AWS would authorize: an AWS SDK v3 middleware that turns every call a client makes into the IAM
 * requests AWS evaluates against the caller's policies (iam-requests.ts), one recorder per principal.
 * test/helpers/iam-simulation.ts evaluates them against that role's synthesized policy.
 */
import {
  type IamRequest,
  iamRequestsOf,
  kmsRequestsOf,
  type RecordedCall,
  type Service,
  serviceLabel,
  type Where,
} from './iam-requests';

export type { IamRequest, RecordedCall } from './iam-requests';

export interface RecorderOptions extends Where {
  /**
   * Answers for calls the emulator does not implement (`SQS ListMessageMoveTasks`), given after the call is
   * recorded, so that the code path past them runs.
   */
  readonly standIns?: Readonly<Record<string, (input: Record<string, unknown>) => object>>;
}

/** The IAM requests of one principal (a role), deduplicated, with the calls they come from. */
export class ActionRecorder {
  readonly calls: RecordedCall[] = [];
  /**
   * Calls that could not be mapped to IAM requests. The call throws too, but code under test may catch that
   * (a listing that ignores a failed move-task read), so the test asserts this list is empty as well.
   */
  readonly unmapped: string[] = [];
  private readonly byKey = new Map<string, IamRequest>();

  constructor(
    readonly role: string,
    readonly options: RecorderOptions,
  ) {}

  get requests(): readonly IamRequest[] {
    return [...this.byKey.values()];
  }

  /** Records an SDK call: the call itself and the IAM requests it makes. */
  recordCall(call: RecordedCall): void {
    this.calls.push(call);
    try {
      for (const request of iamRequestsOf(call, this.options)) this.add(request);
    } catch (error) {
      this.unmapped.push((error as Error).message);
      throw error;
    }
  }

  /** Records a request made without an SDK call of ours (what Scheduler sends with this role). */
  add(request: IamRequest): void {
    for (const r of [request, ...kmsRequestsOf(request, this.options)]) {
      const key = JSON.stringify([r.action, r.resource, r.context ?? {}]);
      if (!this.byKey.has(key)) this.byKey.set(key, r);
    }
  }
}

type Handler = (args: { input: unknown }) => Promise<unknown>;
interface MiddlewareStack {
  add(
    middleware: (next: Handler, context: { clientName?: string; commandName?: string }) => Handler,
    options: { step: 'initialize'; name: string },
  ): void;
}

const SERVICE_OF_CLIENT: Readonly<Record<string, Service>> = {
  SQSClient: 'sqs',
  DynamoDBClient: 'dynamodb',
  SchedulerClient: 'scheduler',
  LambdaClient: 'lambda',
};

/** Attaches the recorder to an AWS SDK v3 client: every command is recorded before it is sent. */
export function recordCalls<T extends { middlewareStack: object }>(client: T, recorder: ActionRecorder): T {
  (client.middlewareStack as unknown as MiddlewareStack).add(
    (next, context) => async (args) => {
      const service = SERVICE_OF_CLIENT[context.clientName ?? ''];
      if (!service) throw new Error(`aws-action-recorder: no IAM mapping for client ${context.clientName}`);
      const command = (context.commandName ?? '').replace(/Command$/, '');
      const input = (args.input ?? {}) as Record<string, unknown>;
      recorder.recordCall({ service, command, input });
      const standIn = recorder.options.standIns?.[`${serviceLabel(service)} ${command}`];
      if (standIn) return { output: { $metadata: {}, ...standIn(input) }, response: {} };
      return next(args);
    },
    { step: 'initialize', name: 'wharfTestActionRecorder' },
  );
  return client;
}

let active: ActionRecorder | undefined;
/** Clients built outside `recordingAs` (each refused with an error, which code under test might swallow). */
export const strayClients: string[] = [];

/**
 * Runs `body` with `recorder` as the recorder of every client a wharf composition root builds meanwhile (see
 * `recordingClientClass`). A client keeps the recorder it was built with, so a runtime built in here stays
 * attributed to this role when it is used later.
 */
export async function recordingAs<T>(recorder: ActionRecorder, body: () => Promise<T>): Promise<T> {
  if (active) throw new Error(`already recording as ${active.role}`);
  active = recorder;
  try {
    return await body();
  } finally {
    active = undefined;
  }
}

/**
 * The SDK client class with the recorder built in, for `vi.mock` of src's client-class modules (the composition
 * root, src/runtime/aws-clients.ts, builds every client wharf uses from them). A client built outside
 * `recordingAs` throws: its calls would otherwise go unrecorded, and a grant they need unproven.
 */
export function recordingClientClass<C extends object>(Base: C): C {
  return new Proxy(Base, {
    construct(target, args, newTarget) {
      if (!active) {
        const stray = new Error(
          'an AWS client was built outside recordingAs(): its calls would go unrecorded',
        );
        strayClients.push(stray.stack ?? stray.message);
        throw stray;
      }
      return recordCalls(
        Reflect.construct(target as never, args, newTarget) as { middlewareStack: object },
        active,
      );
    },
  });
}
