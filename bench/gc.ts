import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// V8's own gc(), without starting Node with --expose-gc: the flag is set at run time and a new context picks it up.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * A full garbage collection before a timed run: the rounds of figure 2 rotate through five subjects, and without
 * it one subject's garbage is collected (and its CPU counted) while the next one is timed.
 */
export function collectGarbage(): void {
  gc();
}
