// `wharf-jobs/dashboard`: the web dashboard (what `wharf dashboard` serves), to run inside your own process.
export type { Dashboard, DashboardOptions } from './server.js';
export { startDashboard } from './server.js';
