// What `import ... from 'wharf-jobs/cdk'` loads. Static imports of aws-cdk-lib would fail while Node links the
// module graph, before any code of ours runs, so the construct library is imported only after the peer check.
// Types come from index.d.ts (package.json "types"), so users see the real classes.
import { assertCdkPeers } from './peers.js';

assertCdkPeers();
const cdk = await import('./index.js');

export const { JOB_TABLE_SCHEMA, WharfJobs } = cdk;
