/**
 * A package's recorded build failure as plan, list and info show it:
 * "failed to build at TIME: PHASE, STATUS, see LOG" (no log to see when
 * the package failed while being put into the root), with the version
 * that failed in front when it is not `version`, the one shown beside it.
 */
import type { FailureRecord } from '../state/stateFile.js';

export function failureText(f: FailureRecord, version?: string): string {
  return `${version !== undefined && f.version !== version ? `${f.version} ` : ''}failed to build at ${f.at}: ${f.phase}, ${f.status}${f.log ? `, see ${f.log}` : ''}`;
}
