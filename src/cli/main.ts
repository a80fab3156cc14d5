/**
 * The jux command line. `jux jam ...` is plain Jam (its own option parser,
 * exactly jam's); everything else is the package manager, parsed with
 * commander. Commands are loaded on demand so that start-up stays small.
 *
 * Exit status: 0 success, 1 something failed to build (or an audit found
 * problems), 2 bad usage or bad input, 70 an internal error, 75 another
 * jux holds the lock, 130 a build interrupted by Ctrl-C.
 */
import type { Command } from 'commander';
import { JuxError } from '../errors.js';
import { setColor } from '../render/style.js';
import { tuneHeap } from './heap.js';
import { flushSay, flushWarn, type GlobalOptions, overridesFrom, startCapture, stopCapture } from './options.js';

/** The read-only commands whose answers are remembered (see memo.ts): looked up before the parser, and stored by run(). */
const REMEMBERED = new Set(['plan', 'why', 'graph', 'list', 'info', 'search']);

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'jam') {
    const { jamCommand } = await import('./jamCommand.js');
    process.exit(await jamCommand(argv.slice(1)));
  }
  tuneHeap(); // the package manager's workload (plain Jam keeps V8's defaults)
  let status = 0;
  try {
    // A read-only command asked again with nothing changed: its answer.
    const known = REMEMBERED.has(argv[0] ?? '') ? await (await import('./memo.js')).rememberedAnswer(argv) : null;
    if (known) {
      process.stdout.write(known.stdout);
      process.stderr.write(known.stderr);
      status = known.status;
    } else status = await runCommand(argv);
  } catch (e) {
    flushWarn();
    flushSay();
    status = reportError(e);
  }
  flushWarn();
  flushSay();
  process.exitCode = status;
  // Let pending writes finish (a pipe takes large output in several
  // pieces: exiting at once would cut it), then exit even if workers linger.
  let open = 2;
  const done = (): void => {
    if (--open === 0) process.exit(status);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

function reportError(e: unknown): number {
  if (e instanceof JuxError) {
    process.stderr.write(`jux: ${e.describe()}\n`);
    for (const d of e.details) process.stderr.write(d + '\n');
    return e.status;
  }
  if (isCommanderError(e)) return e.exitCode === 0 ? 0 : 2;
  const err = e as Error;
  process.stderr.write(`jux: internal error: ${err?.message ?? String(e)}\n`);
  if (process.env.JUX_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
  return 70;
}

/** commander's own errors (usage, --help, --version), told apart without loading commander. */
function isCommanderError(e: unknown): e is { exitCode: number } {
  const x = e as { code?: unknown; exitCode?: unknown } | null;
  return e instanceof Error && typeof x?.code === 'string' && x.code.startsWith('commander.') && typeof x.exitCode === 'number';
}

async function runCommand(argv: string[]): Promise<number> {
  const { Command, Option } = await import('commander');
  let status = 0;
  const program = new Command('jux');
  program
    .description('jux — a source-based package manager built on the Jam engine')
    .version('0.1.0', '--version')
    .option('--config <file>', 'configuration file (default: ./jux.yaml)')
    .option('--spell-root <dir>', 'a spell root (repeatable; later roots win)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--root <dir>', 'install root')
    .option('--state <dir>', 'state directory')
    .option('--cache-dir <dir>', 'cache directory')
    .option('--plain', 'plain output: no colours, no live status')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError('(run jux --help for usage)')
    .hook('preAction', (cmd) => {
      const g = cmd.optsWithGlobals() as GlobalOptions;
      if (g.plain || 'NO_COLOR' in process.env) setColor(false);
    });

  const run =
    (load: () => Promise<{ default: (opts: Record<string, unknown>, args: string[]) => Promise<number> }>) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const memo = cmd.parent === program && REMEMBERED.has(cmd.name());
      const opts = cmd.optsWithGlobals() as Record<string, unknown>;
      const positional = (args.slice(0, -2).flat() as unknown[]).filter((x): x is string => typeof x === 'string');
      if (!memo || process.env.JUX_NO_MEMO) {
        status = await (await load()).default(opts, positional);
        return;
      }
      // Read-only commands: answer from memory when nothing changed.
      const { loadConfig } = await import('../config/config.js');
      const { answerKey, recall, remember } = await import('./memo.js');
      const config = await loadConfig(overridesFrom(opts));
      const key = answerKey(config, argv);
      const known = recall(config, key);
      if (known) {
        process.stdout.write(known.stdout);
        process.stderr.write(known.stderr);
        status = known.status;
        return;
      }
      startCapture();
      try {
        status = await (await load()).default(opts, positional);
      } finally {
        const out = stopCapture();
        if (status === 0) remember(config, key, { ...out, status });
      }
    };

  program
    .command('jam')
    .description('run plain Jam (jam 2.6.1 compatible): jux jam [options] [targets]')
    .allowUnknownOption(true)
    .helpOption(false);



  program
    .command('build')
    .description('build and install packages (the whole tree when no target is given)')
    .argument('[targets...]', 'packages to build, with what they need')
    .option('-n, --dry-run', 'print the plan and stop')
    .option('-a, --all', 'force: rebuild every package in scope')
    .option('--rebuild <pkg>', 'force this package (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .addOption(new Option('-j, --jobs <n>', 'packages built at once (default: cores)').argParser(positiveInt))
    .option('-k, --keep-going', 'keep building past failures (the default)')
    .option('-q, --quit', 'stop at the first failure')
    .option('-v, --verbose', 'also show build output')
    .option('--no-cache', 'compile even when a cached build exists')
    .option('--keep-build', 'keep the build folders of packages that built (failed ones are always kept)')
    .option('--offline', 'use only sources already in the cache')
    .option('--strict', 'a source without a checksum is an error')
    .option('--wait', 'wait for another jux to finish instead of failing')
    .option('--json', 'machine-readable plan (with -n)')
    .action(run(() => import('./commands/build.js')));

  program
    .command('update')
    .description('bring the installed system up to date')
    .option('-n, --dry-run', 'print the plan and stop')
    .option('-a, --all', 'force: rebuild everything installed')
    .addOption(new Option('-j, --jobs <n>', 'packages built at once (default: cores)').argParser(positiveInt))
    .option('-q, --quit', 'stop at the first failure')
    .option('-v, --verbose', 'also show build output')
    .option('--no-cache', 'compile even when a cached build exists')
    .option('--keep-build', 'keep the build folders of packages that built (failed ones are always kept)')
    .option('--offline', 'use only sources already in the cache')
    .option('--strict', 'a source without a checksum is an error')
    .option('--wait', 'wait for another jux to finish instead of failing')
    .option('--json', 'machine-readable plan (with -n)')
    .action(run(() => import('./commands/update.js')));

  program
    .command('plan')
    .description('what would be built and why (same as build -n)')
    .argument('[targets...]')
    .option('-a, --all', 'force every package in scope')
    .option('--rebuild <pkg>', 'force this package (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--update', 'plan an update of what is installed')
    .option('--json', 'every reason, as JSON')
    .action(run(() => import('./commands/plan.js')));

  program
    .command('why')
    .description('why a package would be rebuilt: the chain of reasons')
    .argument('<package>')
    .argument('[targets...]', 'the request to explain (default: the whole tree)')
    .option('--json')
    .action(run(() => import('./commands/why.js')));

  program
    .command('graph')
    .description('the dependency graph (text, or Graphviz with --dot)')
    .argument('[targets...]', 'only these and what they depend on')
    .option('--dot', 'Graphviz dot output')
    .option('--json')
    .action(run(() => import('./commands/graph.js')));

  program
    .command('list')
    .description('installed packages, their versions, and which are out of date')
    .option('--json')
    .action(run(() => import('./commands/list.js')));

  program
    .command('info')
    .description('everything known about a package')
    .argument('<package>')
    .option('--json')
    .action(run(() => import('./commands/info.js')));

  program
    .command('search')
    .description('find spells by name or description')
    .argument('<text>')
    .option('--json')
    .action(run(() => import('./commands/search.js')));

  const importCmd = program.command('import').description('convert a spell tree from another distribution');
  importCmd
    .command('smgl')
    .description('convert a Source Mage grimoire into a jux spell tree')
    .argument('<grimoire>', 'the grimoire (sections of spell folders)')
    .argument('<out>', 'a new folder for the jux tree')
    .option('--json', 'the report as JSON')
    .action(run(() => import('./commands/importSmgl.js')));

  program
    .command('watch')
    .description('re-plan on every change to the spells (and build with --build)')
    .argument('[targets...]', 'only these and what they need (default: the whole tree)')
    .option('--build', 'build what the plan holds after each change')
    .option('--debounce <ms>', 'quiet time before a burst of changes is handled', '100')
    .option('--no-cache', 'plan (and build) without the binary package cache')
    .action(run(() => import('./commands/watch.js')));

  program
    .command('fetch')
    .description('fetch sources ahead of a build (the whole plan by default)')
    .argument('[targets...]')
    .addOption(new Option('-j, --jobs <n>', 'downloads at once').argParser(positiveInt))
    .option('--offline', 'only check the cache and say what is missing')
    .option('--strict', 'a source without a checksum is an error')
    .option('--all', 'every source of the tree, not only those the plan needs')
    .action(run(() => import('./commands/fetch.js')));

  program
    .command('recover')
    .description('finish or undo an interrupted transaction now')
    .option('--wait', 'wait for another jux to finish instead of failing')
    .action(run(() => import('./commands/recover.js')));

  program
    .command('check')
    .description('lint the spells and audit the installed files')
    .option('--spells', 'only lint the spell tree')
    .option('--files', 'only audit the installed files')
    .option('--strict', 'sources without checksums are errors')
    .option('--json')
    .action(run(() => import('./commands/check.js')));

  program
    .command('dispel')
    .description('remove installed packages')
    .argument('<packages...>')
    .option('--force', 'remove even when installed packages depend on them')
    .option('--wait', 'wait for another jux to finish instead of failing')
    .action(run(() => import('./commands/dispel.js')));

  program
    .command('history')
    .description('the journal of transactions')
    .option('--json')
    .action(run(() => import('./commands/history.js')));

  program
    .command('rollback')
    .description('undo the last transaction (or the last N, or back to a point)')
    .argument('[count]', 'how many transactions to undo', '1')
    .option('--to <id|time>', 'undo every transaction after this one')
    .option('--wait', 'wait for another jux to finish instead of failing')
    .action(run(() => import('./commands/rollback.js')));

  await program.parseAsync(argv, { from: 'user' });
  return status;
}


function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new JuxError(`not a positive whole number: ${v}`);
  return n;
}
