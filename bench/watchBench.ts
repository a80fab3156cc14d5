/**
 * Benchmark `watch`: `jux watch --debounce 0` (NO_COLOR=1) on the unpacked
 * real grimoire. After the initial plan is printed, one spell file at a
 * time is edited (its Version bumped; a different spell each time), and
 * the line `[HH:MM:SS] PATH changed — re-planned in N ms` is awaited:
 * N is jux's own figure (re-reading the file, graph, resolution, plan);
 * the wall figure runs from just before the write to the moment that line
 * reaches us (so it also holds the file watcher's latency and printing the
 * plan difference). The first edit is a warm-up and not counted. Then
 * SIGINT, which must end watch with status 0. Done against an empty state
 * and against a state with everything installed (installState.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { noGrimoire, unpackGrimoire } from './grimoire.js';
import { fmtMs, loadNote, makeTemp, median, met, printTable, removeTemp, rmrf } from './measure.js';
import { installEverything, juxEnv } from './planBench.js';
import { spellFiles } from './spellsToJamfile.js';

interface WatchResult {
  readonly spells: number;
  readonly startMs: number;
  readonly replanMs: number[];
  readonly wallMs: number[];
  readonly extraCycles: number;
  readonly exit: number | string;
  readonly problems: string[];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function watchSession(dir: string, root: string, edits: number, jux: string): Promise<WatchResult> {
  const problems: string[] = [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [jux, 'watch', '--debounce', '0'], {
    cwd: dir,
    env: juxEnv({ NO_COLOR: '1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  // Lines as they arrive, with when.
  const lines: { text: string; at: number }[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    const at = performance.now();
    out += d;
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const p of parts) lines.push({ text: p, at });
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (err += d));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, sig) => resolve(code ?? `signal ${sig}`)));
  let dead = false;
  void exited.then(() => (dead = true));

  /** Wait for a line matching `re` at index >= from; its index, or -1 on timeout / exit. */
  const waitLine = async (re: RegExp, from: number, timeoutMs: number): Promise<number> => {
    const end = performance.now() + timeoutMs;
    for (;;) {
      for (let i = from; i < lines.length; i++) if (re.test(lines[i]!.text)) return i;
      if (dead || performance.now() > end) return -1;
      await sleep(2);
    }
  };

  const replanMs: number[] = [];
  const wallMs: number[] = [];
  let spells = 0;
  let startMs = 0;
  let extraCycles = 0;
  try {
    const w = await waitLine(/^Watching \d+ spells? in /, 0, 180_000);
    if (w < 0) {
      problems.push(`no "Watching" line (stderr: ${err.trim().slice(-300)})`);
      return { spells, startMs, replanMs, wallMs, extraCycles, exit: 'n/a', problems };
    }
    spells = Number(/Watching (\d+)/.exec(lines[w]!.text)![1]);
    const p = await waitLine(/^(\d+ to build: |Nothing to build)/, w + 1, 180_000);
    if (p < 0) {
      problems.push('no initial plan');
      return { spells, startMs, replanMs, wallMs, extraCycles, exit: 'n/a', problems };
    }
    startMs = lines[p]!.at - t0;
    await sleep(300);

    // Spells with a Version statement, spread over the tree.
    const files = spellFiles(root).filter((_, i, all) => i % Math.max(1, Math.floor(all.length / (edits * 3))) === 0);
    let k = 0;
    for (let e = 0; e <= edits; e++) {
      let file = '';
      let text = '';
      for (; k < files.length; k++) {
        text = fs.readFileSync(files[k]!, 'latin1');
        if (/^Version\s+\S+\s*:\s*\S+\s*;/m.test(text)) {
          file = files[k++]!;
          break;
        }
      }
      if (!file) {
        problems.push('ran out of spells to edit');
        break;
      }
      const bumped = text.replace(/^(Version\s+\S+\s*:\s*)(\S+)(\s*;)/m, (_m, a: string, v: string, b: string) => `${a}${v}.${e + 1}${b}`);
      const rel = path.relative(dir, file);
      const from = lines.length;
      const started = performance.now();
      fs.writeFileSync(file, bumped, 'latin1');
      const i = await waitLine(/\] (.+) changed — re-planned in (\d+) ms$/, from, 30_000);
      if (i < 0) {
        problems.push(`no re-plan line after editing ${rel}`);
        break;
      }
      const m = /\] (.+) changed — re-planned in (\d+) ms$/.exec(lines[i]!.text)!;
      if (!m[1]!.split(', ').includes(rel)) problems.push(`re-plan line names ${m[1]}, not ${rel}`);
      // Let the cycle finish printing (the summary line), then settle.
      await waitLine(/( to build|The plan did not change\.|error)/, i + 1, 30_000);
      await sleep(250);
      // More cycles than edits (the write seen as two changes)?
      for (let j = i + 1; j < lines.length; j++) if (/re-planned in/.test(lines[j]!.text)) extraCycles++;
      if (e === 0) continue; // warm-up
      replanMs.push(Number(m[2]));
      wallMs.push(lines[i]!.at - started);
    }
  } finally {
    if (!dead) child.kill('SIGINT');
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const exit = await exited;
  clearTimeout(timer);
  if (!/Stopped watching\./.test(out)) problems.push('no "Stopped watching." after SIGINT');
  if (err.trim()) problems.push(`stderr: ${err.trim().split('\n').slice(-2).join(' / ').slice(0, 300)}`);
  return { spells, startMs, replanMs, wallMs, extraCycles, exit, problems };
}

export async function benchWatch(opts: { runs: number; jux: string; repo: string }): Promise<void> {
  const title =
    'watch: `jux watch --debounce 0` on the real grimoire, one spell file edited at a time (Version bumped, a different spell each time)';
  const edits = Math.max(5, opts.runs);
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  for (const state of ['empty', 'installed'] as const) {
    const dir = makeTemp('jux-bench-watch-');
    try {
      const root = unpackGrimoire(opts.repo, dir);
      if (root === null) {
        console.log(`\n${title}\n\n${noGrimoire(opts.repo)}`);
        return;
      }
      fs.writeFileSync(path.join(dir, 'jux.yaml'), `roots: [${path.basename(root)}]\n`);
      if (state === 'installed') {
        const r = installEverything(dir);
        notes.push(`installed state: ${r.note}`);
        if (!r.ok) {
          rows.push([state, '(could not make the state)', '', '', '', '', '', '']);
          continue;
        }
        rmrf(path.join(dir, '.jux', 'cache'));
      }
      const r = await watchSession(dir, root, edits, opts.jux);
      const re = r.replanMs.length ? median(r.replanMs) : NaN;
      const wall = r.wallMs.length ? median(r.wallMs) : NaN;
      rows.push([
        state,
        r.spells.toLocaleString('en'),
        (r.startMs / 1000).toFixed(2) + ' s',
        r.replanMs.length,
        Number.isNaN(re) ? 'n/a' : fmtMs(re),
        Number.isNaN(wall) ? 'n/a' : fmtMs(wall),
        r.exit,
        Number.isNaN(re) ? '' : `< 100 ms: ${met(re < 100)} (printed), ${met(wall < 100)} (wall)`,
      ]);
      notes.push(
        `${state} state: printed re-plan times ${r.replanMs.join(', ')} ms; wall ${r.wallMs.map((x) => x.toFixed(0)).join(', ')} ms` +
          (r.extraCycles ? `; ${r.extraCycles} extra re-plan cycle(s) (one write seen twice)` : ''),
      );
      for (const p of r.problems) notes.push(`${state} state: PROBLEM: ${p}`);
    } finally {
      removeTemp(dir);
    }
  }
  printTable(
    `${title}\n\nstartup = until the initial plan is printed (cold: no cache dir); edits = timed edits after one warm-up edit; ` +
      'wall = from before the write until the re-plan line arrived',
    ['state', 'spells', 'startup', 'edits', 're-plan (printed)', 'wall', 'exit after SIGINT', 'target'],
    rows,
  );
  console.log('');
  for (const x of notes) console.log(`- ${x}`);
  console.log(`- ${loadNote()}`);
}
