/**
 * Fault injection on the bundled grimoire: jux build / dispel / rollback
 * SIGKILLed at a chosen moment, then `jux recover`, `jux check --files`, and
 * an independent comparison of the root with the records (test/helpers/
 * system.ts, which does not use jux's code).
 *
 * The expensive compile happens once: `prepare` builds the example and makes
 * one template directory per scenario; each run copies a template and runs
 * an operation that installs from the package cache, removes, or rolls back.
 * Used by test/e2e/faults.test.ts (50 runs) and test/stress/faults.ts
 * (`npm run stress`: many more, plus a kill at every rename).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { JUX_BIN, REPO } from '../helpers/paths.js';
import { type PackageOnDisk, compareRootAndRecords, readRecords, Sandbox } from '../helpers/system.js';
import { seededRandom } from '../../src/util/random.js';

export const KILL_HOOK = path.join(REPO, 'test', 'helpers', 'killHook.mjs');

export interface Scenario {
  readonly name: string;
  readonly template: Sandbox;
  readonly args: readonly string[];
  /** Records before the operation and after it ran to the end. */
  readonly before: ReadonlyMap<string, PackageOnDisk>;
  readonly after: ReadonlyMap<string, PackageOnDisk>;
  /** Wall time of an uninterrupted run, in ms. */
  readonly duration: number;
  /** When, in that run, its transaction began (the journal grew), in ms. */
  readonly begins: number;
  /** Renames under the sandbox an uninterrupted run makes. */
  readonly renames: number;
  /** Running the operation again after recovery must reach `after`. */
  readonly rerun: boolean;
}

export interface RunOutcome {
  readonly scenario: string;
  readonly killAt: string;
  /** The kill came before jux exited by itself. */
  readonly killed: boolean;
  /** A transaction was left open (the kill landed inside one). */
  readonly interrupted: boolean;
  readonly problems: string[];
}


interface Finished {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Run jux in a sandbox; kill it with SIGKILL after `killAfterMs` if given. */
export function runJux(
  s: Sandbox,
  args: readonly string[],
  opts: { killAfterMs?: number; env?: Record<string, string>; watch?: (ms: number) => void } = {},
): Promise<Finished> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [JUX_BIN, ...args], {
      cwd: s.dir,
      env: { ...process.env, NO_COLOR: '1', JUX_JOBS: '2', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = opts.killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs);
    const watch = opts.watch;
    const poll = watch ? setInterval(() => watch(Number(process.hrtime.bigint() - t0) / 1e6), 1) : null;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    });
  });
}

async function must(s: Sandbox, ...args: string[]): Promise<Finished> {
  const r = await runJux(s, args);
  if (r.code !== 0) throw new Error(`jux ${args.join(' ')} failed in ${s.dir} (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

function sameBuild(a: PackageOnDisk | undefined, b: PackageOnDisk | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.version === b.version && a.archive === b.archive && a.filesText === b.filesText;
}

function describeBuild(p: PackageOnDisk | undefined): string {
  return p ? `${p.version} (${p.archive})` : 'not installed';
}

/**
 * Every check made after a recovery; returns what is wrong. `before` and
 * `after` give, per package, the two states it may be in.
 */
export function audit(s: Sandbox, scenario: Pick<Scenario, 'before' | 'after'>): string[] {
  const problems: string[] = [];
  problems.push(...compareRootAndRecords(s.root(), s.state()));
  const now = readRecords(s.state());
  const names = new Set([...scenario.before.keys(), ...scenario.after.keys(), ...now.keys()]);
  for (const n of [...names].sort()) {
    const cur = now.get(n);
    if (!sameBuild(cur, scenario.before.get(n)) && !sameBuild(cur, scenario.after.get(n))) {
      problems.push(
        `${n} is ${describeBuild(cur)}: neither as before (${describeBuild(scenario.before.get(n))}) nor as after (${describeBuild(scenario.after.get(n))})`,
      );
    }
  }
  // Nothing half-done left behind in the state, the root or the cache.
  for (const f of fs.readdirSync(s.state())) {
    if (/^[a-z0-9][a-z0-9+._-]*\.(state|files)$/.test(f) || f === 'journal' || f === 'history') continue;
    // The record of running scripts: emptied by the recovering jux (the scripts of a killed one stopped).
    if (f === 'running' && fs.readdirSync(s.state(f)).length === 0) continue;
    problems.push(`state: unexpected ${f}`);
  }
  if (fs.existsSync(s.state('history'))) {
    for (const f of fs.readdirSync(s.state('history'))) if (!/^tx-\d+-\d+\.state$/.test(f)) problems.push(`state/history: unexpected ${f}`);
  }
  if (fs.existsSync(s.root('.jux-staging'))) problems.push('the staging directory is still there');
  for (const f of fs.readdirSync(s.cache(), { withFileTypes: true })) if (f.isFile() && !f.name.endsWith('.tar.gz')) problems.push(`cache: unexpected ${f.name}`);
  // The journal: every transaction committed.
  const lines = fs.readFileSync(s.state('journal'), 'latin1').split('\n').filter(Boolean);
  const begun = lines.filter((l) => l.startsWith('begin ')).map((l) => l.split(' ')[1]);
  const committed = new Set(lines.filter((l) => l.startsWith('commit ')).map((l) => l.split(' ')[1]));
  for (const id of begun) if (!committed.has(id)) problems.push(`journal: transaction ${id} is not committed`);
  return problems;
}

/** A copy of `from` with the spells edited to newer versions of four packages. */
function bump(s: Sandbox): void {
  s.edit('libcolor', /Version +libcolor : 1\.2\.0 ;/, 'Version libcolor : 1.2.1 ;');
  s.edit('greet-data', /Version +greet-data : 1\.0\.0 ;/, 'Version greet-data : 1.0.1 ;');
  s.edit('hello', /Version +hello : 1\.0\.0 ;/, 'Version hello : 1.0.1 ;');
  s.edit('mathlib', /Version +mathlib : 0\.3\.1 ;/, 'Version mathlib : 0.3.2 ;');
}

async function countRenames(s: Sandbox, args: readonly string[]): Promise<number> {
  const file = path.join(s.dir, '..', `${path.basename(s.dir)}.renames`);
  const r = await runJux(s, args, {
    env: { NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_COUNT_FILE: file, JUX_KILL_UNDER: s.dir },
  });
  if (r.code !== 0) throw new Error(`jux ${args.join(' ')} failed while counting renames:\n${r.stdout}\n${r.stderr}`);
  const n = Number(fs.readFileSync(file, 'utf8'));
  fs.rmSync(file, { force: true });
  return n;
}

/**
 * Build the example once and make the scenario templates:
 *   build       six packages dispelled; `jux build` puts them back from the cache
 *   update      four packages one version behind the spells; `jux build` updates them from the cache
 *   dispel      `jux dispel` of seven packages (dependants and what they need)
 *   rollback    `jux rollback` of the update (four packages back to the old builds)
 *   rollback-to `jux rollback --to 1` after an update and a dispel (restores and downgrades)
 */
export async function prepare(): Promise<{ scenarios: Scenario[]; cleanup: () => void }> {
  const made: Sandbox[] = [];
  const sandbox = (from?: string): Sandbox => {
    const s = new Sandbox(from);
    made.push(s);
    return s;
  };
  const base = sandbox();
  await must(base, 'build');

  const tBuild = sandbox(base.dir);
  await must(tBuild, 'dispel', 'greet', 'fortune', 'libgreet', 'greet-data', 'banner', 'libcolor');

  const updated = sandbox(base.dir);
  bump(updated);
  await must(updated, 'build'); // transaction 2: compiles the four new versions

  const tUpdate = sandbox(updated.dir);
  await must(tUpdate, 'rollback'); // transaction 3: back to the old builds; the spells stay new

  const tRollbackTo = sandbox(updated.dir);
  await must(tRollbackTo, 'dispel', 'greet', 'fortune', 'libgreet', 'hello');

  const plans: { name: string; template: Sandbox; args: string[]; rerun: boolean }[] = [
    { name: 'build', template: tBuild, args: ['build'], rerun: true },
    { name: 'update', template: tUpdate, args: ['build'], rerun: true },
    { name: 'dispel', template: sandbox(base.dir), args: ['dispel', 'libgreet', 'greet', 'fortune', 'greet-data', 'hello', 'minicalc', 'report'], rerun: false },
    { name: 'rollback', template: sandbox(updated.dir), args: ['rollback'], rerun: false },
    { name: 'rollback-to', template: tRollbackTo, args: ['rollback', '--to', '1'], rerun: false },
  ];
  const scenarios: Scenario[] = [];
  for (const p of plans) {
    // Calibrate: the whole operation on a copy, timed; then count its renames on another.
    const probe = sandbox(p.template.dir);
    const journal = probe.state('journal');
    const size = fs.statSync(journal).size;
    let begins = -1;
    const r = await runJux(probe, p.args, {
      watch: (ms) => {
        if (begins < 0 && fs.statSync(journal).size > size) begins = ms;
      },
    });
    if (r.code !== 0 || begins < 0) throw new Error(`scenario ${p.name} failed uninterrupted:\n${r.stdout}\n${r.stderr}`);
    const problems = audit(probe, { before: readRecords(p.template.state()), after: readRecords(probe.state()) });
    if (problems.length) throw new Error(`scenario ${p.name} is inconsistent even uninterrupted:\n${problems.join('\n')}`);
    const renames = await countRenames(sandbox(p.template.dir), p.args);
    scenarios.push({
      name: p.name,
      template: p.template,
      args: p.args,
      before: readRecords(p.template.state()),
      after: readRecords(probe.state()),
      duration: r.ms,
      begins,
      renames,
      rerun: p.rerun,
    });
  }
  return { scenarios, cleanup: () => made.forEach((s) => s.remove()) };
}

/** After a kill: recover, audit with jux and independently, and (for builds) finish the job. */
async function afterKill(s: Sandbox, sc: Scenario, killed: Finished): Promise<{ interrupted: boolean; problems: string[] }> {
  const problems: string[] = [];
  const journal = fs.existsSync(s.state('journal')) ? fs.readFileSync(s.state('journal'), 'latin1') : '';
  const begun = (journal.match(/^begin /gm) ?? []).length;
  const committed = (journal.match(/^commit /gm) ?? []).length;
  const interrupted = begun > committed;
  if (killed.signal === null && killed.code !== 0) problems.push(`jux ${sc.args.join(' ')} exited with ${killed.code}: ${killed.stderr.trim()}`);

  const rec = await runJux(s, ['recover']);
  if (rec.code !== 0) problems.push(`jux recover exited with ${rec.code}: ${rec.stderr.trim()}`);
  if (interrupted && !/jux: recovered: transaction \d+ /.test(rec.stderr)) problems.push(`jux recover did not say what it recovered: ${rec.stderr.trim()}`);
  if (!interrupted && rec.stdout !== 'nothing to recover\n') problems.push(`jux recover found something with no open transaction: ${rec.stdout}${rec.stderr}`);
  const check = await runJux(s, ['check', '--files']);
  if (check.code !== 0) problems.push(`jux check --files exited with ${check.code}: ${check.stdout.trim()} ${check.stderr.trim()}`);
  problems.push(...audit(s, sc));

  if (sc.rerun && !problems.length) {
    const again = await runJux(s, sc.args);
    if (again.code !== 0) problems.push(`running jux ${sc.args.join(' ')} again exited with ${again.code}: ${again.stderr.trim()}`);
    problems.push(...audit(s, { before: sc.after, after: sc.after }).map((p) => `after running it again: ${p}`));
  }
  return { interrupted, problems };
}

/** One run: a copy of the template, the operation killed after `killAfterMs`. */
export async function killAtTime(sc: Scenario, killAfterMs: number): Promise<RunOutcome> {
  const s = new Sandbox(sc.template.dir);
  try {
    const r = await runJux(s, sc.args, { killAfterMs });
    const { interrupted, problems } = await afterKill(s, sc, r);
    return { scenario: sc.name, killAt: `${killAfterMs.toFixed(0)} ms`, killed: r.signal === 'SIGKILL', interrupted, problems };
  } finally {
    s.remove();
  }
}

/** One run: the operation killed at its Nth rename under the sandbox, before or after it. */
export async function killAtRename(sc: Scenario, n: number, when: 'before' | 'after'): Promise<RunOutcome> {
  const s = new Sandbox(sc.template.dir);
  try {
    const r = await runJux(s, sc.args, {
      env: { NODE_OPTIONS: `--import=${KILL_HOOK}`, JUX_KILL_RENAME: String(n), JUX_KILL_UNDER: s.dir, JUX_KILL_WHEN: when },
    });
    const { interrupted, problems } = await afterKill(s, sc, r);
    return { scenario: sc.name, killAt: `${when} rename ${n}`, killed: r.signal === 'SIGKILL', interrupted, problems };
  } finally {
    s.remove();
  }
}

/**
 * `count` runs, scenarios in turn, each killed at a seeded random moment:
 * every other run anywhere in the calibrated duration (and a little past
 * it), the others while the transaction runs (from when its journal entry
 * began to the end), where the kills that matter land.
 */
export async function randomKills(scenarios: readonly Scenario[], count: number, seed: number): Promise<RunOutcome[]> {
  const rnd = seededRandom(seed);
  const out: RunOutcome[] = [];
  for (let i = 0; i < count; i++) {
    const sc = scenarios[i % scenarios.length]!;
    const u = rnd();
    const at = Math.floor(i / scenarios.length) % 2 === 0 ? u * sc.duration * 1.1 : sc.begins + u * (sc.duration - sc.begins);
    out.push(await killAtTime(sc, at));
  }
  return out;
}

export function summarise(outcomes: readonly RunOutcome[]): string {
  const failed = outcomes.filter((o) => o.problems.length);
  const lines = [
    `${outcomes.length} runs: ${outcomes.filter((o) => o.killed).length} killed (${outcomes.filter((o) => o.interrupted).length} inside a transaction), ` +
      `${failed.length} failed`,
  ];
  for (const f of failed) lines.push(`  ${f.scenario} killed at ${f.killAt}:`, ...f.problems.map((p) => `    ${p}`));
  return lines.join('\n');
}

export { REPO };
