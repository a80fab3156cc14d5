/**
 * `jux jam [options] [targets]`: plain Jam, option for option and byte for
 * byte what jam 2.6.1 does. Options are parsed as jam's getoptions() does
 * (letters may be grouped, values may be attached or separate, the first
 * argument that is not an option starts the targets).
 */
import { atoi } from '../../grammar/parser.js';
import type { DebugFlags } from '../planner/jamMake.js';
import { JamRenderer } from '../render/jamRenderer.js';
import { JAM_VERSION, runJam, toBytes } from '../jamSession.js';

const OPTS = 'd:j:f:gs:t:ano:qv';

const USAGE = `
usage: jam [ options ] targets...

-a      Build all targets, even if they are current.
-dx     Display (a)actions (c)causes (d)dependencies
        (m)make tree (x)commands (0-9) debug levels.
-fx     Read x instead of Jambase.
-g      Build from newest sources first.
-jx     Run up to x shell commands concurrently.
-n      Don't actually execute the updating actions.
-ox     Write the updating actions to file x.
-q      Quit quickly as soon as a target fails.
-sx=y   Set variable x=y, overriding environment.
-tx     Rebuild x, even if it is up-to-date.
-v      Print the version of jam and exit.

`;

interface ParsedOptions {
  readonly values: { flag: string; val: string }[];
  readonly rest: string[];
}

/** jam's getoptions(); returns null (after printing) on a bad option. */
function getOptions(argv: string[], out: (s: string) => void): ParsedOptions | null {
  const values: { flag: string; val: string }[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a[0] !== '-' || !/^[A-Za-z]$/.test(a[1] ?? '')) break;
    if (values.length >= 256) {
      out('too many options (256 max)\n');
      return null;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      const f = OPTS.indexOf(c);
      if (f < 0 || c === ':') {
        out(`Invalid option: -${c}\n`);
        return null;
      }
      if (OPTS[f + 1] !== ':') values.push({ flag: c, val: 'true' });
      else if (j + 1 < a.length) {
        values.push({ flag: c, val: a.slice(j + 1) });
        break;
      } else if (++i < argv.length) {
        values.push({ flag: c, val: argv[i]! });
        break;
      } else {
        out(`option: -${c} needs argument\n`);
        return null;
      }
    }
  }
  return { values, rest: argv.slice(i) };
}

export async function jamCommand(rawArgv: string[]): Promise<number> {
  const renderer = new JamRenderer();
  const out = (s: string): void => renderer.io.out(s);
  const argv = rawArgv.map(toBytes);
  const parsed = getOptions(argv, out);
  if (parsed === null) {
    out(USAGE);
    renderer.io.flush();
    return 1;
  }
  const all = (flag: string): string[] => parsed.values.filter((v) => v.flag === flag).map((v) => v.val);
  const first = (flag: string): string | undefined => all(flag)[0];

  if (first('v') !== undefined) {
    out(`Jam ${JAM_VERSION}. OS=LINUX. OSPLAT=X86_64. Copyright 1993-2010 Christopher Seiwald.\n`);
    renderer.io.flush();
    return 0;
  }

  const debug = new Array<boolean>(15).fill(false);
  debug[1] = true;
  const noexec = first('n') !== undefined;
  if (noexec) debug[1] = debug[11] = debug[12] = true;
  const dvals = all('d');
  for (let n = 0; n < dvals.length; n++) {
    const s = dvals[n]!;
    let i = atoi(s);
    if (n === 0) debug[1] = debug[11] = debug[12] = false;
    if (i < 0 || i >= 15) out(`Invalid debug level '${s}'.\n`);
    else if (s[0] === '+') debug[i] = true;
    else if (i) while (i) debug[i--] = true;
    else
      for (const c of s) {
        switch (c) {
          case 'a':
            debug[1] = debug[11] = true;
            break;
          case 'c':
            debug[14] = true;
            break;
          case 'd':
            debug[13] = true;
            break;
          case 'm':
            debug[3] = true;
            break;
          case 'r':
            debug[5] = true;
            break;
          case 'x':
            debug[12] = true;
            break;
          case '0':
            break;
          default:
            out(`Invalid debug flag '${c}'.\n`);
        }
      }
  }
  const flags: DebugFlags = {
    make: debug[1]!,
    makeProg: debug[3]!,
    makeQuiet: debug[11]!,
    exec: debug[12]!,
    depends: debug[13]!,
    causes: debug[14]!,
  };

  // Like jam, catch interrupts only while commands may run; before that the
  // default action (ending the process) applies, even in a busy loop.
  let interrupt: (() => boolean) | null = null;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupt && interrupt()) return;
    renderer.io.flush();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  const jobsArg = first('j');
  const status = await runJam(
    {
      files: all('f'),
      defines: all('s'),
      touched: all('t'),
      targets: parsed.rest,
      anyhow: first('a') !== undefined,
      newestFirst: first('g') !== undefined,
      jobs: jobsArg !== undefined ? atoi(jobsArg) : 1,
      noexec,
      quitQuick: first('q') !== undefined,
      debug: flags,
      commandFile: first('o') ?? null,
      environment: Object.entries(process.env).map(([k, v]) => toBytes(`${k}=${v ?? ''}`)),
      onInterruptible: (fn) => {
        interrupt = fn;
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
      },
    },
    renderer,
  );
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  renderer.io.flush();
  return status;
}
