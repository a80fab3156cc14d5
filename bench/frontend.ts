/**
 * Benchmark `frontend`: the language front end on the real grimoire, in
 * this one (warm) node process. Every *.jux file is read once; then, after
 * one untimed warm-up pass, each timed pass goes file by file in load order
 * (as the loader does, so nothing but the facts outlives a file) and times,
 * summed over the files:
 *
 *  - lexing (grammar/lexer.ts `tokenize`),
 *  - parsing the tokens (grammar/parser.ts `jamParser().program()` with
 *    error recovery, as interpreter.ts `parseSpell` does),
 *  - evaluating the statements in spell mode (one Interpreter set up as
 *    src/graph/spellEvaluator.ts does, the vocabulary in rules/ loaded
 *    untimed, then `runStatements`),
 *
 * and, as a cross-check, runs the loader's own path: `SpellEvaluator.create`
 * (untimed) then `evaluate(file)` for every file, which reads, lexes, parses
 * and evaluates each file itself.
 */
import fs from 'node:fs';
import type { Stmt } from '../grammar/ast.js';
import { tokenize } from '../grammar/lexer.js';
import { jamParser } from '../grammar/parser.js';
import { defaultRulesDir } from '../src/config/config.js';
import type { JamEvent } from '../src/events.js';
import { NodeDisk } from '../src/graph/disk.js';
import { SpellEvaluator } from '../src/graph/spellEvaluator.js';
import { installSpellBuiltins } from '../src/graph/spellFacts.js';
import { vocabularyFiles } from '../src/graph/spellTree.js';
import { Timestamps } from '../src/graph/timestamps.js';
import { Interpreter } from '../src/interpreter/interpreter.js';
import { toBytes } from '../src/util/bytes.js';
import { noGrimoire, unpackGrimoire } from './grimoire.js';
import { fmtMs, loadNote, makeTemp, median, met, printTable, removeTemp } from './measure.js';
import { spellFiles } from './spellsToJamfile.js';

interface Pass {
  lex: number;
  parse: number;
  evaluate: number;
  loader: number;
  tokens: number;
  statements: number;
  facts: number;
  loaderFacts: number;
  errors: number;
}

function now(): number {
  return performance.now();
}

/** An interpreter in spell mode with the vocabulary loaded, as SpellEvaluator makes it. */
function spellInterpreter(rulesDir: string, onFact: () => void, onError: () => void): Interpreter {
  const disk = new NodeDisk();
  const reporter = {
    emit: (e: JamEvent): void => {
      if (e.type === 'syntaxError' || e.type === 'unknownRule' || e.type === 'fileError' || e.type === 'limitExceeded') onError();
      else if (e.type === 'diagnostic' && e.severity === 'error') onError();
    },
  };
  const interp = new Interpreter({ reporter, disk, timestamps: new Timestamps(disk), mode: 'jux', maxDepth: 1000 });
  installSpellBuiltins(interp, { fact: () => onFact() });
  for (const f of vocabularyFiles(rulesDir)) interp.parseFile(toBytes(f));
  return interp;
}

async function pass(files: readonly { path: string; text: string }[], rulesDir: string): Promise<Pass> {
  const p: Pass = { lex: 0, parse: 0, evaluate: 0, loader: 0, tokens: 0, statements: 0, facts: 0, loaderFacts: 0, errors: 0 };
  const parser = jamParser();
  const interp = spellInterpreter(rulesDir, () => p.facts++, () => p.errors++);
  p.facts = 0;
  // File by file, as the loader goes (nothing but the facts is kept from one
  // file to the next), each step timed on its own.
  for (const f of files) {
    const t0 = now();
    const lexed = tokenize(f.text);
    const t1 = now();
    parser.input = lexed.tokens;
    parser.fileName = f.path;
    parser.recover = true;
    parser.diagnostics = [];
    const body: Stmt[] = parser.program() ?? [];
    parser.input = [];
    const t2 = now();
    interp.runStatements(body, [], { v: 0 });
    const t3 = now();
    p.lex += t1 - t0;
    p.parse += t2 - t1;
    p.evaluate += t3 - t2;
    p.tokens += lexed.tokens.length;
    p.statements += body.length;
    p.errors += parser.diagnostics.length;
  }

  const evaluator = await SpellEvaluator.create(rulesDir);
  const t = now();
  for (const f of files) {
    const r = evaluator.evaluate(f.path);
    p.loaderFacts += r.facts.length;
  }
  p.loader = now() - t;
  return p;
}

export async function benchFrontend(opts: { runs: number; repo: string }): Promise<void> {
  const title = 'frontend: lex, parse and evaluate the real grimoire in one warm node process (median of timed passes after one warm-up)';
  const dir = makeTemp('jux-bench-frontend-');
  try {
    const root = unpackGrimoire(opts.repo, dir);
    if (root === null) {
      console.log(`\n${title}\n\n${noGrimoire(opts.repo)}`);
      return;
    }
    const rulesDir = defaultRulesDir();
    let t = now();
    const files = spellFiles(root).map((f) => {
      const p = toBytes(f);
      return { path: p, text: fs.readFileSync(f).toString('latin1') };
    });
    const readMs = now() - t;
    const bytes = files.reduce((s, f) => s + f.text.length, 0);
    const mb = bytes / 1e6;

    await pass(files, rulesDir); // warm-up
    const passes: Pass[] = [];
    for (let i = 0; i < opts.runs; i++) passes.push(await pass(files, rulesDir));
    const m = (k: keyof Pass): number => median(passes.map((x) => x[k]));
    const last = passes[passes.length - 1]!;
    const total = median(passes.map((x) => x.lex + x.parse + x.evaluate));
    const rate = (ms: number): string => (mb / (ms / 1000)).toFixed(1) + ' MB/s';
    const rows: (string | number)[][] = [
      ['read every file (once, before the passes)', fmtMs(readMs), rate(readMs), ''],
      [`lex (${last.tokens.toLocaleString('en')} tokens)`, fmtMs(m('lex')), rate(m('lex')), ''],
      [`parse (${last.statements.toLocaleString('en')} statements)`, fmtMs(m('parse')), rate(m('parse')), ''],
      [`evaluate (${last.facts.toLocaleString('en')} facts recorded)`, fmtMs(m('evaluate')), rate(m('evaluate')), ''],
      ['lex + parse + evaluate', fmtMs(total), rate(total), `< 300 ms: ${met(total < 300)}`],
      [
        `loader path: SpellEvaluator.evaluate(file) per file (reads too; ${last.loaderFacts.toLocaleString('en')} facts)`,
        fmtMs(m('loader')),
        rate(m('loader')),
        `< 300 ms: ${met(m('loader') < 300)}`,
      ],
    ];
    printTable(
      `${title}\n\n${files.length.toLocaleString('en')} files, ${mb.toFixed(2)} MB; ${opts.runs} timed pass${opts.runs === 1 ? '' : 'es'}; ` +
        `errors reported: ${last.errors}; ${loadNote()}`,
      ['step', 'median', 'throughput', 'target'],
      rows,
    );
    console.log(
      '\n- lex, parse and evaluate are timed file by file (each file lexed, parsed, evaluated in turn, as the loader goes) and summed; ' +
        'throughput = MB of spell text / time',
    );
  } finally {
    removeTemp(dir);
  }
}
