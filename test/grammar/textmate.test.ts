/**
 * The TextMate grammar grammar/jux.tmLanguage.json, loaded the way editors
 * load it (vscode-textmate + the oniguruma regexp engine) and run over a
 * sample spell line by line; each test pins the exact scopes of tokens.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import onig from 'vscode-oniguruma';
import tm from 'vscode-textmate';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpell } from '../../src/interpreter/interpreter.js';
import { REPO } from '../helpers/paths.js';

const GRAMMAR_FILE = path.join(REPO, 'grammar', 'jux.tmLanguage.json');
const SAMPLE_FILE = path.join(REPO, 'test', 'fixtures', 'textmate', 'sample.jux');
const SAMPLE = readFileSync(SAMPLE_FILE, 'utf8');

/**
 * A stand-in for an editor's shell grammar: enough to show that actions
 * bodies are handed to `source.shell`, including a "..." region of its own.
 */
const STUB_SHELL: tm.IRawGrammar = {
  scopeName: 'source.shell',
  patterns: [
    { match: '\\b(?:cc|echo)\\b', name: 'support.function.builtin.shell' },
    { begin: '"', end: '"', name: 'string.quoted.double.shell' },
    { begin: '\\$\\(', end: '\\)', name: 'meta.subshell.shell' },
  ],
} as unknown as tm.IRawGrammar;

interface Tok {
  text: string;
  start: number;
  end: number;
  scopes: string[];
}
interface Line {
  text: string;
  tokens: Tok[];
}

let onigLoaded: Promise<void> | undefined;
function onigLib(): Promise<tm.IOnigLib> {
  onigLoaded ??= (async () => {
    const wasm = readFileSync(path.join(REPO, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  })();
  return onigLoaded.then(() => ({
    createOnigScanner: (patterns: string[]) => onig.createOnigScanner(patterns),
    createOnigString: (s: string) => onig.createOnigString(s),
  }));
}

/** Loads source.jux; source.shell is the stub or, without it, missing. */
async function loadJux(shell: tm.IRawGrammar | null): Promise<tm.IGrammar> {
  const registry = new tm.Registry({
    onigLib: onigLib(),
    loadGrammar: async (scopeName: string) => {
      if (scopeName === 'source.jux') return tm.parseRawGrammar(readFileSync(GRAMMAR_FILE, 'utf8'), GRAMMAR_FILE);
      if (scopeName === 'source.shell') return shell;
      return null;
    },
  });
  const g = await registry.loadGrammar('source.jux');
  if (!g) throw new Error('source.jux did not load');
  return g;
}

function tokenizeText(grammar: tm.IGrammar, text: string): Line[] {
  let stack = tm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return {
      text: line,
      tokens: r.tokens.map((t) => ({
        text: line.slice(t.startIndex, t.endIndex),
        start: t.startIndex,
        end: t.endIndex,
        scopes: t.scopes,
      })),
    };
  });
}

/**
 * The scopes of `word` (its `nth` occurrence) on the only line containing
 * `lineNeedle`. Fails unless one token covers the whole word, so a word
 * that was split or merged into its neighbours' scopes is noticed.
 */
function scopes(lines: Line[], lineNeedle: string, word: string, nth = 0): string[] {
  const found = lines.filter((l) => l.text.includes(lineNeedle));
  if (found.length !== 1) throw new Error(`${found.length} lines contain ${JSON.stringify(lineNeedle)}`);
  const line = found[0]!;
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = line.text.indexOf(word, at + 1);
    if (at < 0) throw new Error(`no ${JSON.stringify(word)} #${nth} in ${JSON.stringify(line.text)}`);
  }
  const tok = line.tokens.find((t) => t.start <= at && at < t.end)!;
  if (tok.end < at + word.length) {
    throw new Error(`${JSON.stringify(word)} is split: token ${JSON.stringify(tok.text)}`);
  }
  return tok.scopes;
}

/** The text of each token of the line `lineNeedle` with its innermost scope. */
function innermost(lines: Line[], lineNeedle: string): [string, string][] {
  const line = lines.find((l) => l.text.includes(lineNeedle))!;
  return line.tokens.map((t) => [t.text, t.scopes[t.scopes.length - 1]!]);
}

const SRC = 'source.jux';
const VAR = 'variable.other.jux';
const VAR_PUNCT = 'punctuation.definition.variable.jux';
const ACTIONS = 'meta.definition.actions.jux';
const EMBED = 'meta.embedded.block.shell.jux';

describe('TextMate grammar (grammar/jux.tmLanguage.json)', () => {
  let lines: Line[];
  let shellLines: Line[];

  beforeAll(async () => {
    lines = tokenizeText(await loadJux(null), SAMPLE);
    shellLines = tokenizeText(await loadJux(STUB_SHELL), SAMPLE);
  });

  it('declares source.jux for .jux files', () => {
    const raw = JSON.parse(readFileSync(GRAMMAR_FILE, 'utf8')) as { scopeName: string; fileTypes: string[] };
    expect(raw.scopeName).toBe('source.jux');
    expect(raw.fileTypes).toEqual(['jux']);
  });

  it('is run over a sample that jux itself parses without errors', () => {
    expect(parseSpell(SAMPLE_FILE, SAMPLE).diagnostics).toEqual([]);
    expect(lines.length).toBeGreaterThan(30);
  });

  it('scopes # that begins a word, to the end of the line, as a comment', () => {
    expect(scopes(lines, 'Spell          galeon', '#')).toEqual([
      SRC,
      'comment.line.number-sign.jux',
      'punctuation.definition.comment.jux',
    ]);
    expect(scopes(lines, 'Spell          galeon', ' declares package target galeon')).toEqual([
      SRC,
      'comment.line.number-sign.jux',
    ]);
    // the statement before the comment is untouched
    expect(scopes(lines, 'Spell          galeon', ';')).toEqual([SRC, 'punctuation.terminator.jux']);
    // a whole-line comment
    expect(scopes(lines, '# A sample spell', 'A sample spell')).toEqual([SRC, 'comment.line.number-sign.jux']);
  });

  it('does not treat # inside a word as a comment', () => {
    const url = 'https://example.org/galeon#download';
    expect(scopes(lines, url, url)).toEqual([SRC]);
    expect(scopes(lines, url, ';')).toEqual([SRC, 'punctuation.terminator.jux']);
    const line = lines.find((l) => l.text.includes(url))!;
    expect(line.tokens.flatMap((t) => t.scopes).filter((s) => s.startsWith('comment'))).toEqual([]);
  });

  it('scopes control keywords, rule/actions and action modifiers', () => {
    expect(scopes(lines, 'if $(MODE) = release', 'if')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, '} else {', 'else')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'local dir', 'local')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'for s in', 'for')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'for s in', 'in')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'switch $(MODE)', 'switch')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'case rel*', 'case')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'return [ Match', 'return')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'on galeon Echo', 'on')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'CFLAGS on galeon', 'on')).toEqual([SRC, 'keyword.control.jux']);
    expect(scopes(lines, 'rule MyCompile', 'rule')).toEqual([SRC, 'storage.type.jux']);
    expect(scopes(lines, 'actions quietly', 'actions')).toEqual([SRC, ACTIONS, 'storage.type.jux']);
    expect(scopes(lines, 'actions quietly', 'quietly')).toEqual([SRC, ACTIONS, 'storage.modifier.jux']);
    expect(scopes(lines, 'actions quietly', 'updated')).toEqual([SRC, ACTIONS, 'storage.modifier.jux']);
    expect(scopes(lines, 'actions quietly', 'bind')).toEqual([SRC, ACTIONS, 'storage.modifier.jux']);
    expect(scopes(lines, 'actions quietly', 'DEPS')).toEqual([SRC, ACTIONS, 'variable.other.readwrite.jux']);
  });

  it('scopes the first word of a statement as a rule name, also inside blocks and after ;', () => {
    for (const [needle, name] of [
      ['Version        galeon', 'Version'],
      ['LooseDepends   galeon', 'LooseDepends'],
      ['Depends $(TARGET)', 'Depends'],
      ['Echo building', 'Echo'],
      ['{ Compile1 $(s) ; }', 'Compile1'],
      ['case rel* : Echo release', 'Echo'],
      ['on galeon Echo', 'Echo'],
    ] as const) {
      expect(scopes(lines, needle, name), name).toEqual([SRC, 'entity.name.function.jux']);
    }
    expect(scopes(lines, 'return [ Match', 'Match')).toEqual([
      SRC,
      'meta.brackets.jux',
      'entity.name.function.jux',
    ]);
    // the arguments of a statement continued on the next lines are not rule names
    expect(scopes(lines, 'gnome-libs libglade', 'gnome-libs')).toEqual([SRC]);
    expect(scopes(lines, 'gnome-vfs ;', 'gnome-vfs')).toEqual([SRC]);
    // nor is an assignment's variable
    expect(scopes(lines, 'OBJS =', 'OBJS')).toEqual([SRC, 'variable.other.readwrite.jux']);
  });

  it('scopes the name after rule / actions as a definition', () => {
    expect(scopes(lines, 'rule MyCompile', 'MyCompile')).toEqual([SRC, 'entity.name.function.definition.jux']);
    expect(scopes(lines, 'rule MyCompile', 'TARGET')).toEqual([SRC, 'variable.parameter.jux']);
    expect(scopes(lines, 'actions quietly', 'MyCompile1')).toEqual([
      SRC,
      ACTIONS,
      'entity.name.function.definition.jux',
    ]);
  });

  it('scopes $(...) with subscripts, modifiers and nesting as variables', () => {
    expect(innermost(lines, 'OBJS =')).toEqual([
      ['OBJS', 'variable.other.readwrite.jux'],
      [' ', SRC],
      ['=', 'keyword.operator.jux'],
      [' ', SRC],
      ['$(', VAR_PUNCT],
      ['SRCS', VAR],
      [':S=', 'keyword.operator.modifier.jux'],
      ['.o', VAR],
      [':G=', 'keyword.operator.modifier.jux'],
      [')', VAR_PUNCT],
      [' ', SRC],
      [';', 'punctuation.terminator.jux'],
    ]);
    expect(scopes(lines, 'OBJS =', '.o')).toEqual([SRC, VAR]);
    expect(scopes(lines, 'OBJS =', ':G=')).toEqual([SRC, VAR, 'keyword.operator.modifier.jux']);
    expect(scopes(lines, 'FIRST =', '$(')).toEqual([SRC, VAR, VAR_PUNCT]);
    expect(scopes(lines, 'FIRST =', '2')).toEqual([SRC, VAR, 'meta.subscript.jux', 'constant.numeric.jux']);
    // $($(NAME)): the inner reference nests inside the outer one
    expect(scopes(lines, 'FIRST =', 'NAME')).toEqual([SRC, VAR, VAR]);
    expect(scopes(lines, 'FIRST =', ')', 1)).toEqual([SRC, VAR, VAR, VAR_PUNCT]);
    expect(scopes(lines, 'FIRST =', ')', 2)).toEqual([SRC, VAR, VAR_PUNCT]);
  });

  it('scopes double-quoted text as a string, with escapes and variables inside', () => {
    expect(innermost(lines, 'Description    galeon').slice(4)).toEqual([
      ['"', 'punctuation.definition.string.begin.jux'],
      ['A ', 'string.quoted.double.jux'],
      ['\\"', 'constant.character.escape.jux'],
      ['cool', 'string.quoted.double.jux'],
      ['\\"', 'constant.character.escape.jux'],
      [' browser', 'string.quoted.double.jux'],
      ['"', 'punctuation.definition.string.end.jux'],
      [' ', SRC],
      [';', 'punctuation.terminator.jux'],
    ]);
    expect(scopes(lines, 'Description    galeon', '\\"')).toEqual([
      SRC,
      'string.quoted.double.jux',
      'constant.character.escape.jux',
    ]);
    expect(scopes(lines, 'OptionalDepends galeon', 'PREFIX')).toEqual([SRC, 'string.quoted.double.jux', VAR]);
    // `=` inside a quoted word is text, not an operator
    expect(scopes(lines, 'OptionalDepends galeon', '--with-libedit=')).toEqual([SRC, 'string.quoted.double.jux']);
  });

  it('scopes an actions body as embedded shell, keeping $(...) as jux variables', () => {
    const body = 'cc $(CFLAGS) -o "$(<)"';
    // no shell grammar loaded: the include of source.shell is simply empty
    expect(scopes(lines, body, 'cc')).toEqual([SRC, ACTIONS, EMBED]);
    expect(scopes(lines, body, 'CFLAGS')).toEqual([SRC, ACTIONS, EMBED, VAR]);
    expect(scopes(lines, body, '$(', 1)).toEqual([SRC, ACTIONS, EMBED, VAR, VAR_PUNCT]);
    expect(scopes(lines, body, '<')).toEqual([SRC, ACTIONS, EMBED, VAR]);
    // a brace pair inside the body does not end it; the lone } after it does
    expect(scopes(lines, body, 'echo done')).toEqual([SRC, ACTIONS, EMBED]);
    const closing = lines.findIndex((l) => l.text.includes(body)) + 1;
    expect(lines[closing]!.tokens.map((t) => [t.text, t.scopes])).toEqual([
      ['}', [SRC, ACTIONS, 'punctuation.section.block.end.jux']],
    ]);
    expect(scopes(lines, '{ echo done', '{', 0)).toEqual([SRC, ACTIONS, EMBED]);
    // after the body, statements are jux again
    expect(scopes(lines, 'on galeon Echo', 'Echo')).toEqual([SRC, 'entity.name.function.jux']);
  });

  it('hands an actions body to the shell grammar when one is loaded', () => {
    const body = 'cc $(CFLAGS) -o "$(<)"';
    expect(scopes(shellLines, body, 'cc')).toEqual([SRC, ACTIONS, EMBED, 'support.function.builtin.shell']);
    expect(scopes(shellLines, body, 'echo')).toEqual([SRC, ACTIONS, EMBED, 'support.function.builtin.shell']);
    expect(scopes(shellLines, body, 'CFLAGS')).toEqual([SRC, ACTIONS, EMBED, VAR]);
    // inside the shell's own "..." region, $(<) is still a jux variable, not a subshell
    expect(scopes(shellLines, body, '<')).toEqual([SRC, ACTIONS, EMBED, 'string.quoted.double.shell', VAR]);
    expect(scopes(shellLines, 'on galeon Echo', 'Echo')).toEqual([SRC, 'entity.name.function.jux']);
    // outside the actions body the shell grammar is not used
    const outside = shellLines.filter((l) => !l.tokens.some((t) => t.scopes.includes(EMBED)));
    expect(outside.length).toBeGreaterThan(30);
    expect(outside.flatMap((l) => l.tokens.flatMap((t) => t.scopes)).filter((s) => s.endsWith('.shell'))).toEqual([]);
  });

  it('scopes whole-word operators and punctuation only', () => {
    expect(scopes(lines, 'if $(MODE) = release', '=')).toEqual([SRC, 'keyword.operator.jux']);
    expect(scopes(lines, 'if $(MODE) = release', '&&')).toEqual([SRC, 'keyword.operator.jux']);
    expect(scopes(lines, 'if $(MODE) = release', '!')).toEqual([SRC, 'keyword.operator.jux']);
    expect(scopes(lines, 'CFLAGS on galeon', '+=')).toEqual([SRC, 'keyword.operator.jux']);
    expect(scopes(lines, 'MODE default =', 'default')).toEqual([SRC, 'storage.modifier.jux']);
    expect(scopes(lines, 'MODE default =', '=')).toEqual([SRC, 'keyword.operator.jux']);
    expect(scopes(lines, 'Version        galeon', ':')).toEqual([SRC, 'punctuation.separator.jux']);
    expect(scopes(lines, 'Version        galeon', ';')).toEqual([SRC, 'punctuation.terminator.jux']);
    expect(scopes(lines, 'Url            galeon', ':', 1)).toEqual([SRC]); // the one inside https://
    expect(scopes(lines, 'return [ Match', '[')).toEqual([SRC, 'meta.brackets.jux', 'punctuation.section.brackets.jux']);
    expect(scopes(lines, 'return [ Match', ']')).toEqual([SRC, 'meta.brackets.jux', 'punctuation.section.brackets.jux']);
    expect(scopes(lines, 'return [ Match', ':')).toEqual([SRC, 'meta.brackets.jux', 'punctuation.separator.jux']);
  });

  it('treats keywords inside argument lists as plain words (`Echo x if ;`)', () => {
    expect(innermost(lines, 'Echo x if ;')).toEqual([
      ['        ', SRC],
      ['Echo', 'entity.name.function.jux'],
      [' x if ', SRC],
      [';', 'punctuation.terminator.jux'],
    ]);
    expect(scopes(lines, 'Echo building', ' in release ')).toEqual([SRC]);
    expect(scopes(lines, 'on galeon Echo', 'on target')).toEqual([SRC, 'string.quoted.double.jux']);
  });

  it('marks a keyword right after a rule name as an error, as jam does (`Echo if ;`)', async () => {
    const g = await loadJux(null);
    const [echoIf, echoXIf] = tokenizeText(g, 'Echo if ;\nEcho x if ;');
    expect(echoIf!.tokens.map((t) => [t.text, t.scopes])).toEqual([
      ['Echo', [SRC, 'entity.name.function.jux']],
      [' ', [SRC]],
      ['if', [SRC, 'invalid.illegal.keyword.jux']],
      [' ', [SRC]],
      [';', [SRC, 'punctuation.terminator.jux']],
    ]);
    expect(echoXIf!.tokens.map((t) => t.text)).toEqual(['Echo', ' x if ', ';']);
    // jux's parser agrees on both lines
    expect(parseSpell('t', 'Echo if ;\n').diagnostics.length).toBe(1);
    expect(parseSpell('t', 'Echo x if ;\n').diagnostics).toEqual([]);
  });

  it('resumes after a statement that lacks its ; before a closing brace', async () => {
    const g = await loadJux(null);
    const [line] = tokenizeText(g, 'rule R { Echo $(1) } Version x : 1 ;');
    expect(line!.tokens.map((t) => [t.text, t.scopes[t.scopes.length - 1]])).toEqual([
      ['rule', 'storage.type.jux'],
      [' ', SRC],
      ['R', 'entity.name.function.definition.jux'],
      [' ', SRC],
      ['{', 'punctuation.section.block.begin.jux'],
      [' ', SRC],
      ['Echo', 'entity.name.function.jux'],
      [' ', SRC],
      ['$(', VAR_PUNCT],
      ['1', VAR],
      [')', VAR_PUNCT],
      [' ', SRC],
      ['}', 'punctuation.section.block.end.jux'],
      [' ', SRC],
      ['Version', 'entity.name.function.jux'],
      [' x ', SRC],
      [':', 'punctuation.separator.jux'],
      [' 1 ', SRC],
      [';', 'punctuation.terminator.jux'],
    ]);
  });
});
