import { type Schedulable, VisibilityHeap } from './visibility-heap.js';

/** A message as the lanes see it: its visibility, its send order and its message group, if any. */
export interface Deliverable extends Schedulable {
  readonly groupId: string | undefined;
}

/** One lane: the messages of one tenant (a standard queue) or of one FIFO group. */
interface Lane<T extends Deliverable> {
  /** The message this lane would hand out next, visible or not; undefined when the lane is empty. */
  head(): T | undefined;
  /** Hands out the head (which the caller has seen is visible). */
  take(): T;
  /** The message's visibility changed (received, released, made to wait): it goes back in its place. */
  reschedule(message: T): void;
  add(message: T): void;
  remove(message: T): void;
}

/** A standard queue's tenant: any visible message, earliest visibility first (then send order). */
class TenantLane<T extends Deliverable> implements Lane<T> {
  private readonly heap = new VisibilityHeap<T>();
  head = () => this.heap.peek();
  take = () => this.heap.pop()!;
  reschedule = (message: T) => this.heap.push(message);
  add = (message: T) => this.heap.push(message);
  // Lazy: the message's version was bumped, so its heap entries are skipped when they surface.
  remove = () => undefined;
}

/**
 * A FIFO group: only its oldest message can be handed out, and it stays first while in flight or waiting in
 * place, so the group holds behind it until it is deleted (or moved to the DLQ), as SQS does.
 */
class GroupLane<T extends Deliverable> implements Lane<T> {
  private readonly messages: T[] = [];
  head = () => this.messages[0];
  take = () => this.messages[0]!;
  reschedule = () => undefined;
  add = (message: T) => void this.messages.push(message);
  remove = (message: T) => {
    const index = this.messages.indexOf(message);
    if (index !== -1) this.messages.splice(index, 1);
  };
}

/**
 * Which message a memory queue hands out next. Messages are kept in lanes: one per MessageGroupId (the messages
 * without one share a lane), and a receive takes from the lanes in turn, one message per turn, among the lanes
 * whose next message is visible. So on a standard queue tenants are served round-robin, as SQS fair queues aim
 * for: a tenant with a thousand messages waiting delays a tenant with one by one message, not a thousand. On a
 * FIFO queue each group is a lane that hands out its oldest message only, one at a time.
 * With no groups at all there is one lane, and the order is the plain visibility order it always was.
 */
export class DeliveryLanes<T extends Deliverable> {
  private readonly lanes = new Map<string, Lane<T>>();
  /** Lane keys in the order they take turns; `turn` is the next to be asked. */
  private readonly order: string[] = [];
  private turn = 0;

  constructor(private readonly fifo: boolean) {}

  add(message: T): void {
    const key = message.groupId ?? '';
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = this.fifo ? new GroupLane<T>() : new TenantLane<T>();
      this.lanes.set(key, lane);
      this.order.push(key);
    }
    lane.add(message);
  }

  reschedule(message: T): void {
    this.lanes.get(message.groupId ?? '')?.reschedule(message);
  }

  remove(message: T): void {
    this.lanes.get(message.groupId ?? '')?.remove(message);
  }

  /** The next visible message, the lanes taking turns; undefined when none is visible at `nowMs`. */
  next(nowMs: number): T | undefined {
    for (let asked = 0; asked < this.order.length; ) {
      if (this.turn >= this.order.length) this.turn = 0;
      const key = this.order[this.turn]!;
      const head = this.lanes.get(key)!.head();
      if (head === undefined) {
        // An empty lane leaves the turn order; the lane after it now stands at this turn.
        this.lanes.delete(key);
        this.order.splice(this.turn, 1);
        continue;
      }
      this.turn++;
      if (head.visibleAtMs <= nowMs) return this.lanes.get(key)!.take();
      asked++;
    }
    return undefined;
  }

  /** When the next message becomes visible (at or before now: one is visible); undefined when there is none. */
  nextVisibleAtMs(): number | undefined {
    let earliest: number | undefined;
    for (const lane of this.lanes.values()) {
      const at = lane.head()?.visibleAtMs;
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    return earliest;
  }
}
