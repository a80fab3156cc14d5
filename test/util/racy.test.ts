/** Which files a key made from sizes and times cannot vouch for, and their content checks. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentsUnchanged, MAX_RACY, RACY_MS, racyChecks } from '../../src/util/racy.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-racy-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function files(n: number, mtimeMs: number): { path: string; mtimeMs: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const p = path.join(dir, `f${i}`);
    fs.writeFileSync(p, `content ${i}\n`);
    return { path: p, mtimeMs };
  });
}

describe('racy files', () => {
  const now = Date.now();

  it('are those stamped within RACY_MS of the reading, or after it', () => {
    expect(racyChecks(files(3, now - RACY_MS - 1), now)).toEqual([]);
    expect(racyChecks(files(3, now - RACY_MS + 1), now)).toHaveLength(3);
    expect(racyChecks(files(3, now + 60_000), now)).toHaveLength(3);
  });

  it('are checked by content: a change of the bytes shows, a file gone too', () => {
    const checks = racyChecks(files(2, now), now)!;
    expect(contentsUnchanged(checks)).toBe(true);
    fs.writeFileSync(checks[0]!.path, 'content X\n'); // same size
    expect(contentsUnchanged(checks)).toBe(false);
    fs.writeFileSync(checks[0]!.path, 'content 0\n');
    expect(contentsUnchanged(checks)).toBe(true);
    fs.rmSync(checks[1]!.path);
    expect(contentsUnchanged(checks)).toBe(false);
  });

  it('beyond MAX_RACY of them, nothing is to be kept', () => {
    expect(racyChecks(files(MAX_RACY, now), now)).toHaveLength(MAX_RACY);
    expect(racyChecks(files(MAX_RACY + 1, now), now)).toBeNull();
  });
});
