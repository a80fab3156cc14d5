/**
 * The Jam conformance corpus: every case must match jam 2.6.1's recorded
 * output byte for byte, exit status included, through the real binary.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, JUX_BIN, SHARED } from '../helpers/paths.js';

const RUN_CASE = path.join(SHARED, 'conformance', 'run-case.sh');
const cases = fs
  .readdirSync(CORPUS)
  .filter((c) => fs.existsSync(path.join(CORPUS, c, 'expected')))
  .sort();

function runCase(name: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      RUN_CASE,
      [path.join(CORPUS, name), '--', process.execPath, JUX_BIN, 'jam'],
      { maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, out: stdout + stderr });
      },
    );
  });
}

describe.concurrent('jam conformance corpus', () => {
  it('has the whole corpus', () => {
    expect(cases.length).toBeGreaterThanOrEqual(84);
  });
  for (const name of cases) {
    it(name, async () => {
      const r = await runCase(name);
      expect(r.out, r.out).toBe('');
      expect(r.code).toBe(0);
    });
  }
});
