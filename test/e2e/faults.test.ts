/**
 * Fault injection and concurrency, end to end (see test/stress/faultKit.ts):
 * jux build, dispel and rollback SIGKILLed at 50 seeded random moments, each
 * followed by jux recover, jux check --files and an independent comparison
 * of the root and the records; and four jux build started at once on one
 * root. `npm run stress` runs many more kills.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareRootAndRecords, readRecords, Sandbox } from '../helpers/system.js';
import { killAtRename, prepare, randomKills, runJux, type Scenario, summarise } from '../stress/faultKit.js';

const RUNS = Number(process.env.JUX_FAULT_RUNS ?? '50');
const SEED = Number(process.env.JUX_FAULT_SEED ?? '20261122');

let scenarios: Scenario[] = [];
let cleanup = (): void => undefined;

beforeAll(async () => {
  ({ scenarios, cleanup } = await prepare());
}, 300_000);

afterAll(() => cleanup());

describe('fault injection', () => {
  it('calibrates five operations that change the system without compiling', () => {
    expect(scenarios.map((s) => `${s.name}: jux ${s.args.join(' ')}`)).toEqual([
      'build: jux build',
      'update: jux build',
      'dispel: jux dispel libgreet greet fortune greet-data hello minicalc report',
      'rollback: jux rollback',
      'rollback-to: jux rollback --to 1',
    ]);
    const changed = (s: Scenario): string[] =>
      [...new Set([...s.before.keys(), ...s.after.keys()])].filter((n) => {
        const a = s.before.get(n);
        const b = s.after.get(n);
        return !a || !b || a.version !== b.version || a.archive !== b.archive;
      }).sort();
    const [build, update, dispel, rollback, rollbackTo] = scenarios as [Scenario, Scenario, Scenario, Scenario, Scenario];
    expect(changed(build)).toEqual(['banner', 'fortune', 'greet', 'greet-data', 'libcolor', 'libgreet']);
    expect(changed(update)).toEqual(['greet-data', 'hello', 'libcolor', 'mathlib']);
    expect(update.after.get('libcolor')!.version).toBe('1.2.1');
    expect(changed(dispel)).toEqual(['fortune', 'greet', 'greet-data', 'hello', 'libgreet', 'minicalc', 'report']);
    expect(changed(rollback)).toEqual(['greet-data', 'hello', 'libcolor', 'mathlib']);
    expect(rollback.after.get('mathlib')!.version).toBe('0.3.1');
    expect(changed(rollbackTo)).toEqual(['fortune', 'greet', 'greet-data', 'hello', 'libcolor', 'libgreet', 'mathlib']);
    for (const s of scenarios) expect(s.renames, s.name).toBeGreaterThan(10);
  });

  it(`leaves every package at its old or its new build after ${RUNS} SIGKILLs at random moments`, async () => {
    const outcomes = await randomKills(scenarios, RUNS, SEED);
    const report = summarise(outcomes);
    console.log(`fault injection (seed ${SEED}): ${report}`);
    expect(outcomes).toHaveLength(RUNS);
    expect(outcomes.filter((o) => o.problems.length), report).toEqual([]);
    // The kills landed everywhere: before, inside and after transactions.
    expect(outcomes.filter((o) => o.interrupted).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.killed && !o.interrupted).length).toBeGreaterThan(0);
  }, 600_000);

  it('recovers from a kill at exact points of an update: every fifth rename, before and after it', async () => {
    const update = scenarios[1]!;
    const outcomes = [];
    for (let n = 1; n <= update.renames; n += 5) outcomes.push(await killAtRename(update, n, n % 2 ? 'after' : 'before'));
    const report = summarise(outcomes);
    console.log(`kills at renames of jux build (update): ${report}`);
    expect(outcomes.every((o) => o.killed)).toBe(true);
    expect(outcomes.filter((o) => o.problems.length), report).toEqual([]);
  }, 300_000);
});

describe('concurrency', () => {
  it('four jux build started at once on one root: one builds, the others wait or fail clearly; root and state stay consistent', async () => {
    const s = new Sandbox();
    try {
      const args = [['build', '--wait'], ['build'], ['build', '--wait'], ['build']];
      const runs = await Promise.all(args.map((a) => runJux(s, a)));
      const built = runs.filter((r) => /Summary: 11 built, 0 up to date/.test(r.stdout));
      expect(built, runs.map((r) => r.stdout + r.stderr).join('\n---\n')).toHaveLength(1);
      runs.forEach((r, i) => {
        const all = r.stdout + r.stderr;
        if (built.includes(r)) expect(r.code, all).toBe(0);
        else if (args[i]!.includes('--wait')) {
          // Waited its turn, then found nothing to do.
          expect(r.code, all).toBe(0);
          expect(r.stdout, all).toBe('Nothing to build: everything is up to date.\n');
        } else if (r.code === 75) {
          expect(r.stderr).toMatch(new RegExp(`^jux: another jux is changing this system: pid \\d+ \\(jux build(?: --wait)?\\), since \\S+; run again with --wait to wait for it\\n$`));
        } else {
          // It came after the builder was done.
          expect(r.code, all).toBe(0);
          expect(r.stdout, all).toBe('Nothing to build: everything is up to date.\n');
        }
      });
      const waited = runs.filter((r, i) => args[i]!.includes('--wait') && !built.includes(r));
      for (const r of waited) expect(r.stderr).toMatch(/^jux: waiting for the jux holding the lock: pid \d+ \(jux build/);
      // One transaction installed everything; nothing else was journalled.
      const journal = fs.readFileSync(s.state('journal'), 'utf8');
      expect(journal.match(/^begin /gm)).toHaveLength(1);
      expect(journal.match(/^done 1 /gm)).toHaveLength(11);
      expect(journal.trimEnd().split('\n').pop()).toBe('commit 1');
      expect(fs.existsSync(s.state('lock'))).toBe(false);
      expect(readRecords(s.state()).size).toBe(11);
      expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);
      const check = await runJux(s, ['check', '--files']);
      expect(check.code, check.stdout).toBe(0);
    } finally {
      s.remove();
    }
  });

  it('four jux at once that change the same root from the cache (build, dispel, rollback, recover) leave it consistent', async () => {
    const s = new Sandbox(scenarios[0]!.template.dir);
    try {
      const args = [['build', '--wait'], ['dispel', '--wait', 'hello'], ['rollback', '--wait'], ['recover', '--wait']];
      const runs = await Promise.all(args.map((a) => runJux(s, a)));
      runs.forEach((r, i) => expect(r.code, `${args[i]!.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0));
      expect(compareRootAndRecords(s.root(), s.state())).toEqual([]);
      const check = await runJux(s, ['check', '--files']);
      expect(check.code, check.stdout).toBe(0);
      const journal = fs.readFileSync(s.state('journal'), 'utf8');
      expect((journal.match(/^begin /gm) ?? []).length).toBe((journal.match(/^commit /gm) ?? []).length);
    } finally {
      s.remove();
    }
  });
});
