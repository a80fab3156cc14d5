/**
 * Everything the Jam engine reports, as data. Renderers turn these into
 * text: render/jamRenderer.ts prints exactly what jam 2.6.1 prints; the
 * package layer renders its own view. The engine never prints.
 */
import type { SyntaxDiagnostic } from '../grammar/parser.js';

/** Where in a spell or Jamfile something happened. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export type JamEvent =
  // ---- language ----
  /** Echo / Exit output: the elements, each followed by a blank, then a newline. */
  | { readonly type: 'echo'; readonly words: readonly string[] }
  | { readonly type: 'unknownRule'; readonly name: string; readonly at: SourcePos | null }
  /** A file that could not be read (include): jam's perror(). */
  | { readonly type: 'fileError'; readonly path: string; readonly reason: string }
  /** A syntax error. `jamText` is jam's own message line. */
  | { readonly type: 'syntaxError'; readonly jamText: string; readonly diagnostic: SyntaxDiagnostic | null }
  /** A regular expression that would not compile ("re error ..."). */
  | { readonly type: 'regexpError'; readonly message: string }
  | { readonly type: 'limitExceeded'; readonly message: string; readonly at: SourcePos | null }
  /** A finding about a spell (package layer, lint): error or warning with its position. */
  | { readonly type: 'diagnostic'; readonly severity: 'error' | 'warning'; readonly message: string; readonly at: SourcePos | null }
  // ---- binding and the update analysis (make0) ----
  | { readonly type: 'dontKnow'; readonly target: string }
  | { readonly type: 'dependsOnItself'; readonly target: string }
  | { readonly type: 'patience' }
  | {
      readonly type: 'trace';
      readonly kind: 'make' | 'bind' | 'time' | 'made';
      readonly depth: number;
      readonly target: string;
      /** bind: bound name; time: timestamp (s) or a binding name; made: fate name. */
      readonly detail: string | number;
      readonly flag?: string;
    }
  | { readonly type: 'dependency'; readonly internal: boolean; readonly target: string; readonly source: string }
  | { readonly type: 'cause'; readonly fate: string; readonly target: string }
  | {
      readonly type: 'makeCounts';
      readonly found: number;
      readonly temp: number;
      readonly updating: number;
      readonly cantFind: number;
      readonly cantMake: number;
    }
  // ---- running actions (make1) ----
  | { readonly type: 'onNth'; readonly n: number }
  | { readonly type: 'usingTemp'; readonly target: string }
  | { readonly type: 'skipped'; readonly target: string; readonly lackOf: string }
  | { readonly type: 'independentTarget'; readonly target: string }
  | {
      readonly type: 'actionStart';
      readonly rule: string;
      readonly targets: readonly string[];
      /** Announce "Rule targets" (false for quietly actions unless asked). */
      readonly announce: boolean;
      readonly command: string;
      readonly showCommand: boolean;
      readonly commandOut: boolean;
    }
  /** Output of a command captured while running in parallel. */
  | { readonly type: 'actionOutput'; readonly output: Buffer }
  | {
      readonly type: 'actionFailed';
      readonly rule: string;
      readonly targets: readonly string[];
      readonly command: string;
      /** Print the command text first (jam does unless -dx showed it). */
      readonly printCommand: boolean;
    }
  | { readonly type: 'removing'; readonly target: string }
  | { readonly type: 'actionsTooLong'; readonly rule: string; readonly maxline: number }
  | { readonly type: 'interrupted' }
  /** -o FILE could not be opened. */
  | { readonly type: 'cannotWrite'; readonly path: string }
  | { readonly type: 'makeSummary'; readonly failed: number; readonly skipped: number; readonly made: number }
  /** The engine is about to run a command: buffered output must go out first. */
  | { readonly type: 'flush' };

export interface JamReporter {
  emit(e: JamEvent): void;
}
