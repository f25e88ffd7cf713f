// What `require('wharf-jobs/cdk')` loads (a CommonJS CDK app, as `cdk init` makes): the same peer check, then the
// ESM construct library through require(esm), which Node 22.12 and later support.
import peers = require('./peers.js');

peers.assertCdkPeers();
// An import-equals rather than `export = require(...)`: tsc then emits entry.d.cts with the construct library's
// real types (the bare require gave `any`), which package.json gives the `require` condition.
import cdk = require('./index.js');

export = cdk;
