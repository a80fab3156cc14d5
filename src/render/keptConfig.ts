/** The words for a config file an install kept (see installer/protectPlan.ts). */
import { JUXNEW } from '../config/configProtect.js';
import type { ProtectedFile } from '../installer/protectPlan.js';

/** One line: what was kept, why, and where the package's new version is. */
export function keptConfigText(name: string, k: ProtectedFile): string {
  switch (k.outcome) {
    case 'juxnew':
      return k.unowned
        ? `${k.path} (owned by no package) kept; ${name}'s version is in ${k.path}${JUXNEW}`
        : `${k.path} (of ${name}) changed since it was installed: kept; the new version is in ${k.path}${JUXNEW}`;
    case 'dropped':
      return `${k.path} (of ${name}) changed since it was installed: kept, though the new version no longer has it`;
    case 'same':
      return `${k.path} (of ${name}) changed since it was installed: kept (the new version has the same file)`;
  }
}
