import { describe, expect, it } from 'vitest';
import type { Stmt } from '../../grammar/ast.js';
import { tokenize } from '../../grammar/lexer.js';
import { jamParser } from '../../grammar/parser.js';
import { parseSpell } from '../../src/interpreter/interpreter.js';
import { evalJam } from '../helpers/jam.js';

function parse(text: string): { body: Stmt[]; error: string | null } {
  const p = jamParser();
  p.input = tokenize(text).tokens;
  p.fileName = 'f';
  p.recover = false;
  const body = p.program();
  const e = p.errors[0];
  return { body: body ?? [], error: e ? `${e.token.image}@${e.token.startLine}` : null };
}

describe('parser', () => {
  it('parses every statement form with positions', () => {
    const { body, error } = parse(
      [
        'X = a ;',
        'X += b ;',
        'X ?= c ;',
        'X default = d ;',
        'X on t u = e ;',
        'Rule a : b ;',
        'rule R p : q { return $(p) ; }',
        'actions quietly together A bind V { cmd }',
        'if a && ! b || c in d e { } else { }',
        'for x in l { break ; continue ; }',
        'while $(x) { }',
        'switch $(x) { case a* : Echo ; }',
        'on t Echo ;',
        'include f ;',
        'local v = 1 ;',
        'Echo [ on t R x ] [ on t return y ] [ R z : w ] ;',
      ].join('\n'),
    );
    expect(error).toBeNull();
    expect(body.map((s) => s.kind)).toEqual([
      'set',
      'set',
      'set',
      'set',
      'setOn',
      'invoke',
      'ruleDef',
      'actionsDef',
      'if',
      'for',
      'while',
      'switch',
      'on',
      'include',
      'local',
    ]);
    expect(body.map((s) => s.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const local = body[14]!;
    expect(local.kind === 'local' && local.body.map((s) => s.kind)).toEqual(['invoke']);
    const act = body[7]!;
    expect(act.kind === 'actionsDef' && [act.name, act.flags, act.body]).toEqual(['A', 0x0a, ' cmd ']);
    const r = body[6]!;
    expect(r.kind === 'ruleDef' && r.params).toEqual(['p', 'q']);
  });

  it('gives || the loosest and ! the tightest binding', () => {
    const { body } = parse('if ! a = b || c && d { }');
    const s = body[0]!;
    expect(s.kind).toBe('if');
    if (s.kind !== 'if') return;
    expect(s.cond.kind).toBe('or');
    if (s.cond.kind !== 'or') return;
    expect(s.cond.left.kind).toBe('eq');
    expect(s.cond.right.kind).toBe('and');
  });

  it('reads alphabetic keywords as words inside lists but not first after a rule name', () => {
    expect(parse('Echo x if rule ;').error).toBeNull();
    expect(parse('Echo if ;').error).toBe('if@1');
    expect(parse('Echo : if ;').error).toBeNull();
    // After [ ] the rest of the list is read in normal mode, as in jam.
    expect(parse('Echo [ R ] if ;').error).toBe('if@1');
    expect(parse('x on [ R ] default = 1 ;').error).toBeNull();
  });

  it('accepts trailing colons in rule parameters but not empty ones', () => {
    expect(parse('rule R a : { }').error).toBeNull();
    expect(parse('rule R a : : b { }').error).toBe(':@1');
  });

  it('stops at the first error in jam mode, naming the token', () => {
    expect(parse('Echo a ;\nX = = z ;').error).toBe('=@2');
    expect(parse('Echo a ; }').error).toBe('}@1');
    expect(parse('Echo a').error).toBe('@NaN');
  });

  it('recovers in spell mode and reports every error with its position', () => {
    const text = [
      'Version a : 1 ;',
      'Version = = x ;',
      'Spell b ;',
      'if { }',
      'Echo ok ;',
      'rule { }',
      'X = ( ;',
      'Y = ) ;',
      'Echo end ;',
    ].join('\n');
    const { body, diagnostics } = parseSpell('spells/x.jux', text);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}`)).toEqual([
      'spells/x.jux:2:11',
      'spells/x.jux:4:4',
      'spells/x.jux:6:6',
      'spells/x.jux:7:5',
      'spells/x.jux:8:5',
    ]);
    expect(diagnostics[0]!.message).toBe('syntax error: unexpected keyword `=`, expected `;`');
    // The good statements around the bad ones are kept.
    expect(body.filter((s) => s.kind === 'invoke').length).toBe(4);
  });

  it('reports unmatched quotes and braces in spell mode', () => {
    expect(parseSpell('s.jux', 'Echo a ;\nEcho "oops ;\n').diagnostics.map((d) => [d.line, d.message])).toEqual([
      [2, 'unmatched " in string'],
    ]);
    expect(parseSpell('s.jux', 'actions A {\n echo').diagnostics.map((d) => [d.line, d.message])).toEqual([
      [1, 'unmatched { in action block'],
    ]);
  });

  it('prints jam syntax errors in jam form and runs none of the file', () => {
    const out = evalJam('Echo never ;\nX = = y ;\n').output;
    expect(out).toBe('Jamfile: line 2: syntax error at keyword =\n');
    expect(evalJam('Echo "abc').output).toBe('unmatched " in string at argument Echo\nsyntax error at EOF\n');
    expect(evalJam('Echo a ;\nactions A { x').output).toBe(
      'unmatched {} in action block at keyword {\nsyntax error at EOF\n',
    );
  });
});
