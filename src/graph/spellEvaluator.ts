/**
 * Evaluating spell files one at a time with one interpreter that has
 * loaded the vocabulary in rules/. Each file's facts, diagnostics and Echo
 * output are kept apart, so a watcher can evaluate only the files that
 * changed and keep the rest.
 */
import type { JamEvent, JamReporter } from '../events.js';
import type { Interpreter as InterpreterType } from '../interpreter/interpreter.js';
import { toBytes } from '../util/bytes.js';
import { FileBuffer } from '../util/fileBuffer.js';
import { NodeDisk } from './disk.js';
import { type Fact, installSpellBuiltins } from './spellFacts.js';
import type { Diagnostic } from './spellTree.js';
import { vocabularyFiles } from './spellTree.js';
import { Timestamps } from './timestamps.js';

/** What evaluating one file recorded. */
export interface FileResult {
  readonly facts: readonly Fact[];
  readonly diagnostics: readonly Diagnostic[];
  readonly echoes: readonly string[];
}

type InterpreterModule = typeof import('../interpreter/interpreter.js');

export class SpellEvaluator {
  private facts: Fact[] = [];
  private diagnostics: Diagnostic[] = [];
  private echoes: string[] = [];
  private readonly interp: InterpreterType;
  /** What loading the vocabulary itself reported. */
  readonly vocabulary: FileResult;

  private constructor(private readonly mod: InterpreterModule, rulesDir: string) {
    const reporter: JamReporter = { emit: (e) => this.event(e) };
    const disk = new NodeDisk();
    this.interp = new mod.Interpreter({ reporter, disk, timestamps: new Timestamps(disk), mode: 'jux', maxDepth: 1000 });
    installSpellBuiltins(this.interp, { fact: (f) => this.facts.push(f) });
    const parts = vocabularyFiles(rulesDir).map((f) => this.evaluate(f));
    this.vocabulary = {
      facts: parts.flatMap((p) => p.facts),
      diagnostics: parts.flatMap((p) => p.diagnostics),
      echoes: parts.flatMap((p) => p.echoes),
    };
  }

  /** An evaluator with the vocabulary loaded (the front end is imported only now). */
  static async create(rulesDir: string): Promise<SpellEvaluator> {
    return new SpellEvaluator(await import('../interpreter/interpreter.js'), rulesDir);
  }

  /** Evaluate one file (an absolute path); `text`, its content (latin1), when already read. */
  evaluate(file: string, text?: string): FileResult {
    this.facts = [];
    this.diagnostics = [];
    this.echoes = [];
    try {
      if (text !== undefined) this.interp.parseText(toBytes(file), text);
      else this.interp.parseFile(toBytes(file));
    } catch (e) {
      if (e instanceof this.mod.JamExit) {
        this.diagnostics.push({ severity: 'error', message: 'Exit called while loading spells', at: this.interp.statementSite() });
      } else if (e instanceof this.mod.JamLimitError) {
        this.diagnostics.push({ severity: 'error', message: e.message, at: e.at });
      } else throw e;
    }
    return { facts: this.facts, diagnostics: this.diagnostics, echoes: this.echoes };
  }

  /**
   * Evaluate files in order, each read whole into one reused buffer (no
   * buffer, promise or fstat per file: on a large tree the per-file cost
   * of reading matters more than overlapping it with evaluation). A file
   * that cannot be read is read again the usual way, which reports why.
   */
  async evaluateAll(files: readonly string[], sizes?: readonly number[]): Promise<FileResult[]> {
    const reader = new FileBuffer();
    const out: FileResult[] = new Array(files.length);
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      let text: string | undefined;
      try {
        const r = reader.read(file, sizes?.[i]);
        text = r.bytes.toString('latin1', 0, r.length);
      } catch {
        text = undefined;
      }
      out[i] = this.evaluate(file, text);
    }
    return out;
  }

  private event(e: JamEvent): void {
    switch (e.type) {
      case 'diagnostic':
        this.diagnostics.push({ severity: e.severity, message: e.message, at: e.at });
        break;
      case 'syntaxError':
        if (e.diagnostic) {
          const d = e.diagnostic;
          this.diagnostics.push({ severity: 'error', message: d.message, at: { file: d.file, line: d.line, col: d.col } });
        }
        break;
      case 'unknownRule':
        this.diagnostics.push({ severity: 'error', message: `unknown rule ${e.name}`, at: e.at });
        break;
      case 'fileError':
        this.diagnostics.push({ severity: 'error', message: `cannot read: ${e.reason}`, at: { file: e.path, line: 0, col: 0 } });
        break;
      case 'regexpError':
        this.diagnostics.push({ severity: 'error', message: `bad regular expression: ${e.message}`, at: null });
        break;
      case 'echo':
        this.echoes.push(e.words.join(' '));
        break;
      case 'limitExceeded':
        this.diagnostics.push({ severity: 'error', message: e.message, at: e.at });
        break;
      default:
        break;
    }
  }
}
