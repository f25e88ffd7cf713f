import { errorMessage, hasCode } from '../errors.js';
import { html } from './html.js';
import {
  DEFAULT_PERFORMANCE_WINDOW,
  isPerformanceWindow,
  PERFORMANCE_WINDOWS,
  performancePage,
  windowLinks,
} from './pages/performance.js';
import { HttpError, type Page, type RouteContext } from './route-context.js';

/** GET /performance?window=1h|6h|24h|7d: the window ends now, on the clock ops reads. */
export async function getPerformanceRoute(
  ctx: RouteContext,
  segments: readonly string[],
  q: URLSearchParams,
): Promise<Page | undefined> {
  if (segments.length !== 1 || segments[0] !== 'performance') return undefined;
  const asked = q.get('window') ?? DEFAULT_PERFORMANCE_WINDOW;
  if (!isPerformanceWindow(asked))
    throw new HttpError(
      400,
      `Unknown window "${asked}": one of ${Object.keys(PERFORMANCE_WINDOWS).join(', ')}.`,
    );
  const { spanMs, periodMs } = PERFORMANCE_WINDOWS[asked];
  const untilMs = ctx.ops.nowMs();
  const page = (body: Page['body']): Page => ({
    kind: 'page',
    title: 'Performance',
    nav: '/performance',
    body,
  });
  try {
    return page(
      performancePage(await ctx.ops.stats({ sinceMs: untilMs - spanMs, untilMs, periodMs }), asked),
    );
  } catch (error) {
    // A dashboard without a metrics source still serves its other pages; this one says why it has nothing.
    if (!hasCode(error, 'WHARF_CONFIG')) throw error;
    return page(html`${windowLinks(asked)}<div class="notice bad"><p>${errorMessage(error)}</p></div>`);
  }
}
