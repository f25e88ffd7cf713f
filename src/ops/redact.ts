// Redaction lives with the job's `redact` option (job/redact.ts), below the engine, which redacts the payload it
// gives the error reporter; ops shows it under its own name, as the CLI and dashboard always imported it.
export { REDACTED, redact } from '../job/redact.js';
