// What `require('wharf-jobs/cdk')` loads (a CommonJS CDK app, as `cdk init` makes): the same peer check, then the
// ESM construct library through require(esm), which Node 22.12 and later support.
import peers = require('./peers.js');

peers.assertCdkPeers();
export = require('./index.js');
