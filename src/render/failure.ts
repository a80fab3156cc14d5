/**
 * A package's recorded build failure as plan, list and info show it:
 * "failed to build at TIME: PHASE, STATUS, see LOG" (no log to see when
 * the package failed while being put into the root).
 */
import type { FailureRecord } from '../state/stateFile.js';

export function failureText(f: FailureRecord): string {
  return `failed to build at ${f.at}: ${f.phase}, ${f.status}${f.log ? `, see ${f.log}` : ''}`;
}
