import type { Ops } from '../ops/types.js';
import type { SafeHtml } from './html.js';

export interface RouteContext {
  readonly ops: Ops;
  readonly csrf: string;
  /** No action is offered or accepted: retry, discard, run now, pause, resume and cancel are refused with 403. */
  readonly readOnly: boolean;
  /** Runs after every action (local mode: the embedded engine works off what the action enqueued). */
  readonly afterAction: () => Promise<void>;
  readonly audit: (line: string) => void;
}

export type Page = {
  readonly kind: 'page';
  readonly title: string;
  readonly nav: string;
  readonly body: SafeHtml;
};

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
