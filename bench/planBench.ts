/**
 * Benchmark `plan`: whole-process wall time and peak memory of `jux plan`
 * (the whole tree) on the real grimoire and on generated trees of 10,000 and
 * 100,000 spells (genSpellTree.ts), beside real `jam -n` on the equivalent
 * Jamfile (spellsToJamfile.ts).
 *
 * Each tree is planned against two states:
 *  - empty: nothing installed, every buildable spell is new;
 *  - installed: everything the plan would build is recorded as installed
 *    (installState.ts writes the STATE/NAME.state records a build would
 *    have), so the plan is "Nothing to build: everything is up to date".
 * and three ways:
 *  - cold: no cache directory at all (no tree cache, no state cache,
 *    no remembered answers), deleted before every run;
 *  - tree cache: nothing changed since the last run, remembered answers
 *    off (JUX_NO_MEMO=1): the package graph comes from CACHE/index/tree.v8;
 *  - memo: nothing changed, default settings: the remembered answer of the
 *    previous run is printed (CACHE/index/answers), checked to be a hit.
 * jam: `jam -n` on the Jamfile without actions (nothing to update: the
 * analogue of the installed state), and on the same Jamfile with a `true`
 * action and Always on every package (everything out of date: the analogue
 * of the empty state); each jux row's ratio is to the matching one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RACY_MS } from '../src/util/racy.js';
import { generateSpellTree } from './genSpellTree.js';
import { unpackGrimoire } from './grimoire.js';
import {
  fmtMb,
  fmtS,
  hasCommand,
  loadNote,
  makeTemp,
  medianSample,
  met,
  printTable,
  removeTemp,
  rmrf,
  runCapture,
  type Sample,
  timeCommand,
} from './measure.js';
import { spellsToJamfile } from './spellsToJamfile.js';

const here = path.dirname(fileURLToPath(import.meta.url));

interface TreeSpec {
  readonly label: string;
  readonly big: boolean;
  /** Make the spell tree in `dir`; its root folder, or null (skipped). */
  readonly make: (dir: string) => { root: string; note: string } | null;
}

/** The environment for jux: ours without JUX_* settings (plus `extra`). */
export function juxEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('JUX_')) env[k] = v;
  return { ...env, ...extra };
}

/**
 * Wait until files just written are old enough for a key of sizes and
 * times to vouch for them (util/racy.ts): jux keeps nothing it would have
 * to check by content while more than a few files are that recent, which
 * a tree or state written a moment before a timed run would measure.
 */
export function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RACY_MS + 100);
}

/** Write everything the plan holds into the state as installed (a child process). */
export function installEverything(dir: string, once = false): { ok: boolean; note: string } {
  const r = runCapture([process.execPath, path.join(here, 'installState.js'), dir, ...(once ? ['--once'] : [])], dir, juxEnv());
  if (r.status !== 0) return { ok: false, note: `installState failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' / ')}` };
  try {
    const j = JSON.parse(r.stdout) as { records: number; rounds: number; left: number | null; unbuildable: number };
    return {
      ok: j.left === 0 || (once && j.records > 0),
      note:
        `${j.records.toLocaleString('en')} records written in ${j.rounds} round(s), ${r.seconds.toFixed(1)} s; ` +
        (j.left === null ? 'not planned again (the cold run below shows the plan)' : `plan left: ${j.left}`) +
        `; unbuildable: ${j.unbuildable}`,
    };
  } catch {
    return { ok: false, note: `installState printed: ${r.stdout.slice(0, 200)}` };
  }
}

function answers(dir: string): string[] {
  try {
    return fs.readdirSync(path.join(dir, '.jux', 'cache', 'index', 'answers')).sort();
  } catch {
    return [];
  }
}

function lastLine(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    return lines[lines.length - 1] ?? '(no output)';
  } catch {
    return '(no output)';
  }
}

export async function benchPlan(opts: { runs: number; quick: boolean; jux: string; repo: string }): Promise<void> {
  const jam = hasCommand('jam');
  const specs: TreeSpec[] = [
    {
      label: 'real grimoire',
      big: false,
      make: (dir) => {
        const root = unpackGrimoire(opts.repo, dir);
        return root ? { root, note: 'unpacked' } : null;
      },
    },
    ...(opts.quick ? [10_000] : [10_000, 100_000]).map(
      (n): TreeSpec => ({
        label: `generated ${n.toLocaleString('en')}`,
        big: n >= 50_000,
        make: (dir) => {
          const t0 = Date.now();
          const s = generateSpellTree(path.join(dir, 'tree'), n, { seed: 7 });
          return {
            root: path.join(dir, 'tree'),
            note:
              `${s.statements.toLocaleString('en')} statements (${(s.statements / n).toFixed(2)}/spell), ` +
              `${(s.bytes / 1e6).toFixed(1)} MB (${Math.round(s.bytes / n)} B/spell), ${(s.edges / n).toFixed(2)} deps/spell, ` +
              `${s.sections} sections; generated in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
          };
        },
      }),
    ),
  ];

  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const plan = [process.execPath, opts.jux, 'plan'];
  for (const spec of specs) {
    const dir = makeTemp('jux-bench-plan-');
    try {
      const made = spec.make(dir);
      if (made === null) {
        notes.push(`${spec.label}: skipped (no grimoire archive)`);
        continue;
      }
      fs.writeFileSync(path.join(dir, 'jux.yaml'), `roots: [${path.basename(made.root)}]\n`);
      settle();
      const cache = path.join(dir, '.jux', 'cache');
      notes.push(`${spec.label}: ${made.note}`);

      // jam -n on the equivalent Jamfiles.
      const jamRuns = spec.big ? Math.min(opts.runs, 3) : opts.runs;
      const jamS: Record<'installed' | 'empty', Sample | null> = { installed: null, empty: null };
      if (jam) {
        for (const [state, actions] of [['installed', false], ['empty', true]] as const) {
          const file = actions ? 'Jamfile.actions' : 'Jamfile';
          const st = spellsToJamfile(made.root, path.join(dir, file), { actions });
          jamS[state] = medianSample(jamRuns, () => timeCommand(['jam', '-n', '-f', file], dir));
          notes.push(
            `${spec.label}: ${file} (${actions ? 'a true action + Always per package' : 'no actions'}): ` +
              `${st.statements.toLocaleString('en')} statements in ${st.blocks} { } blocks, ${(st.bytes / 1e6).toFixed(1)} MB; ` +
              `jam -n exit ${jamS[state]!.status} (${jamRuns} run${jamRuns === 1 ? '' : 's'})`,
          );
        }
      }

      for (const state of ['empty', 'installed'] as const) {
        if (state === 'installed') {
          // Reads the tree cache the last run left. A generated tree has no
          // capabilities, so one round installs everything.
          const r = installEverything(dir, spec.label !== 'real grimoire');
          settle();
          notes.push(`${spec.label}, installed state: ${r.note}`);
          if (!r.ok) {
            rows.push([spec.label, state, '(could not make the state)', '', '', '', '', '', '', '']);
            continue;
          }
        }
        const coldRuns = spec.big ? 1 : opts.runs;
        const warmRuns = spec.big ? Math.min(opts.runs, 3) : opts.runs;
        const outFile = path.join(dir, 'plan.out');
        let first: Sample | null = null;
        const cold = medianSample(coldRuns, (i) => {
          rmrf(cache);
          const s = timeCommand(plan, dir, juxEnv(), i === 0 ? { stdoutFile: outFile } : {});
          if (i === 0) first = s;
          return s;
        });
        const errLines = ((first as Sample | null)?.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
        const count = (re: RegExp): number => errLines.filter((l) => re.test(l)).length;
        const cannot = errLines.find((l) => /cannot be built/.test(l));
        notes.push(
          `${spec.label}, ${state} state: jux plan says "${lastLine(outFile)}"; exit ${cold.status}; stderr: ${errLines.length} line(s): ` +
            `${count(/: warning: /)} warning(s), ${count(/ is provided by /)} ambiguous capabilities (one line each), ` +
            `${count(/which no spell or provider names/)} unknown names` +
            (cannot ? `, "${cannot.trim()}"` : ''),
        );
        const target = (kind: 'cold' | 'warm'): string => {
          if (state !== 'installed') return '';
          if (spec.label === 'real grimoire') return kind === 'cold' ? `< 0.4 s: ${met(cold.seconds < 0.4)}` : '< 0.2 s: ';
          if (spec.big && kind === 'cold') return `< 2 s, < 1 GiB: ${met(cold.seconds < 2 && cold.maxRssMb < 1024)}`;
          return '';
        };
        const j = jamS[state];
        const ratio = (s: Sample): string => (j ? (s.seconds / j.seconds).toFixed(2) + 'x' : 'n/a');
        const row = (how: string, n: number, s: Sample, tgt: string): void => {
          rows.push([spec.label, state, how, n, fmtS(s.seconds), fmtMb(s.maxRssMb), s.status, j ? fmtS(j.seconds) : 'n/a', ratio(s), tgt]);
        };
        row('cold (no cache dir)', coldRuns, cold, target('cold'));
        if (spec.big && state === 'empty') continue; // keep the 100k run short: the targets are for the installed state

        const warm = medianSample(warmRuns, () => timeCommand(plan, dir, juxEnv({ JUX_NO_MEMO: '1' })));
        const t = target('warm');
        row('unchanged: tree cache (JUX_NO_MEMO=1)', warmRuns, warm, t ? t + met(warm.seconds < 0.2) : '');

        // Remembered answers: prime once, then check every timed run was a hit.
        timeCommand(plan, dir, juxEnv());
        let misses = 0;
        const memo = medianSample(warmRuns, () => {
          for (let attempt = 0; ; attempt++) {
            const before = answers(dir).join('\n');
            const s = timeCommand(plan, dir, juxEnv());
            const hit = before !== '' && answers(dir).join('\n') === before;
            if (hit || attempt >= 2) {
              if (!hit) misses++;
              return s;
            }
            misses++; // jux itself changed (dist/ rebuilt by someone) or the answer was not kept: run again
          }
        });
        row(
          `unchanged: remembered answer${misses ? ` (${misses} miss${misses === 1 ? '' : 'es'} retried)` : ''}`,
          warmRuns,
          memo,
          t ? t + met(memo.seconds < 0.2) : '',
        );
      }
    } finally {
      removeTemp(dir);
    }
  }
  printTable(
    'plan: `jux plan` (whole tree) whole process, median wall time and peak RSS; jam = `jam -n` on the equivalent Jamfile ' +
      '(installed rows: Jamfile without actions, nothing to update; empty rows: a true action + Always per package, everything out of date)',
    ['tree', 'state', 'jux plan run', 'runs', 'wall', 'peak mem', 'exit', 'jam -n', 'ratio', 'target'],
    rows,
  );
  console.log('');
  for (const n of notes) console.log(`- ${n}`);
  console.log(`- ${loadNote()}`);
}
