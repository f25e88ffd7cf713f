import { startDashboard } from '../dashboard/server.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';

export interface DashboardCommandOptions {
  readonly port: number;
  readonly host: string;
  readonly readOnly?: boolean;
}

/** Serves the dashboard until SIGINT or SIGTERM. The token is printed once, in the address to open. */
export async function dashboardCommand(ctx: CliContext, o: DashboardCommandOptions): Promise<number> {
  const dashboard = await startDashboard({
    ops: ctx.ops,
    host: o.host,
    port: o.port,
    readOnly: o.readOnly === true,
    afterAction: () => ctx.afterAction(),
  });
  if (!['127.0.0.1', 'localhost', '::1'].includes(o.host)) {
    ctx.output.err(
      `warning: listening on ${o.host}: anyone who can reach it and has the token sees job data`,
    );
  }
  ctx.output.out(
    ctx.output.json
      ? JSON.stringify({ url: dashboard.url, loginUrl: dashboard.loginUrl })
      : `wharf dashboard (${ctx.mode}) at ${dashboard.url}\nopen: ${dashboard.loginUrl}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.close();
  return EXIT.ok;
}
