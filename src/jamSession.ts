/**
 * A whole jam run (jam.c's main): set up variables, read the Jamfiles,
 * analyse the requested targets and run their actions. The CLI parses the
 * command line and renders the events; this module only wires the stages.
 */
import os from 'node:os';
import type { JamReporter } from './events.js';
import type { Disk } from './graph/disk.js';
import { fsPath, NodeDisk } from './graph/disk.js';
import { scanHeaders } from './graph/headers.js';
import { type Target, TargetFlag } from './graph/target.js';
import { Timestamps } from './graph/timestamps.js';
import { Interpreter, JamExit, JamLimitError } from './interpreter/interpreter.js';
import { type DebugFlags, makeAnalysis } from './planner/jamMake.js';
import { ActionsTooLong } from './scheduler/commands.js';
import { CommandRunner } from './scheduler/exec.js';
import { Make1 } from './scheduler/jamMake1.js';
import { ctime } from './render/jamRenderer.js';
import fs from 'node:fs';
import { toBytes } from './util/bytes.js';

export const JAM_VERSION = '2.6.1';

export interface JamRunOptions {
  /** Files to read (-f); empty means the built-in Jambase. "-" is standard input. */
  readonly files: readonly string[];
  readonly defines: readonly string[];
  readonly touched: readonly string[];
  readonly targets: readonly string[];
  readonly anyhow: boolean;
  readonly newestFirst: boolean;
  readonly jobs: number;
  readonly noexec: boolean;
  readonly quitQuick: boolean;
  readonly debug: DebugFlags;
  /** -o FILE */
  readonly commandFile: string | null;
  /** NAME=value strings, as the process environment. */
  readonly environment: readonly string[];
  readonly disk?: Disk;
  /** Called when the run can be interrupted (SIGINT/SIGTERM wiring). */
  readonly onInterruptible?: (interrupt: () => boolean) => void;
}

/** The Jambase used when no -f is given: jux ships no Jam rule library for C. */
export const BUILTIN_JAMBASE = 'JAMFILE ?= Jamfile ;\ninclude $(JAMFILE) ;\n';

function osplat(): string {
  switch (process.arch) {
    case 'x64':
      return 'X86_64';
    case 'ia32':
      return 'X86';
    case 'arm64':
      return 'ARM64';
    case 'arm':
      return 'ARM';
    case 'ppc64':
      return 'PPC64';
    default:
      return process.arch.toUpperCase();
  }
}

export { toBytes };

/** Run jam; resolves to the exit status. */
export async function runJam(opts: JamRunOptions, reporter: JamReporter): Promise<number> {
  const disk = opts.disk ?? new NodeDisk();
  const timestamps = new Timestamps(disk);
  const interp = new Interpreter({ reporter, disk, timestamps, mode: 'jam' });
  const vars = interp.vars;
  try {
    vars.set('JAMDATE', [ctime(Math.floor(Date.now() / 1000)).slice(0, 24)]);
    vars.set(
      'JAMUNAME',
      [os.machine(), os.version(), os.release(), os.hostname(), os.type()].map(toBytes),
    );
    vars.define(['UNIX=true', 'OS=LINUX', `OSPLAT=${osplat()}`, `JAMVERSION=${JAM_VERSION}`]);
    vars.define(opts.environment);
    vars.define(opts.defines);

    if (opts.files.length === 0) interp.parseText('+', BUILTIN_JAMBASE);
    for (const f of opts.files) {
      if (f === '-') interp.parseText('-', readStdin());
      else interp.parseFile(f);
    }
    let status = interp.anyErrors ? 1 : 0;

    for (const t of opts.touched) interp.targets.bind(t).flags |= TargetFlag.touched;
    let commandOut: ((text: string) => void) | null = null;
    if (opts.commandFile !== null) {
      let fd: number;
      try {
        fd = fs.openSync(fsPath(opts.commandFile), 'w');
      } catch {
        reporter.emit({ type: 'cannotWrite', path: opts.commandFile });
        return 1;
      }
      commandOut = (text) => fs.writeSync(fd, Buffer.from(text, 'latin1'));
    }

    const names = opts.targets.length ? opts.targets : ['all'];
    const { root, counts } = makeAnalysis(
      interp.targets,
      names,
      { anyhow: opts.anyhow, newestFirst: opts.newestFirst, debug: opts.debug },
      {
        reporter,
        bind: (t) => interp.bindTarget(t),
        scanHeaders: (t) => scanTargetHeaders(interp, t),
      },
    );
    if (counts.cantFind || counts.cantMake) status = 1;

    const runner = new CommandRunner(opts.jobs);
    const make1 = new Make1(
      {
        jobs: opts.jobs,
        noexec: opts.noexec || commandOut !== null,
        quitQuick: opts.quitQuick,
        debug: opts.debug,
        commandOut,
      },
      {
        reporter,
        runner,
        vars,
        targets: interp.targets,
        bind: (t) => interp.bindTarget(t),
        unlink: (p) => disk.unlink(p),
      },
    );
    opts.onInterruptible?.(() => {
      if (make1.commandsRunning === 0) return false;
      make1.interrupt();
      return true;
    });
    try {
      if (!opts.noexec && commandOut === null) await runner.prepare();
      if (await make1.run(root)) status = 1;
    } finally {
      runner.close();
    }
    return status;
  } catch (e) {
    if (e instanceof JamExit) return e.status;
    if (e instanceof ActionsTooLong) {
      reporter.emit({ type: 'actionsTooLong', rule: e.rule, maxline: e.maxline });
      return 1;
    }
    if (e instanceof JamLimitError) {
      reporter.emit({ type: 'limitExceeded', message: e.message, at: e.at });
      return 1;
    }
    throw e;
  }
}

/** HDRSCAN/HDRRULE for a bound target, under a copy of its variables. */
function scanTargetHeaders(interp: Interpreter, t: Target): void {
  interp.withTarget(t, () => {
    const hdrscan = interp.vars.get('HDRSCAN');
    const hdrrule = interp.vars.get('HDRRULE');
    if (!hdrscan.length || !hdrrule.length) return;
    let text = '';
    try {
      text = interp.disk.readFile(t.boundname);
    } catch {
      return;
    }
    const { headers, errors } = scanHeaders(text, hdrscan);
    for (const message of errors) interp.reporter.emit({ type: 'regexpError', message });
    if (headers.length) interp.evaluateRule(hdrrule[0]!, [[t.name], headers], null);
  });
}

function readStdin(): string {
  try {
    return fs.readFileSync(0).toString('latin1');
  } catch {
    return '';
  }
}
