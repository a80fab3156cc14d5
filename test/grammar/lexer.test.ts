import { describe, expect, it } from 'vitest';
import { decodeWord, tokenize } from '../../grammar/lexer.js';

function kinds(text: string): string[] {
  return tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

describe('lexer', () => {
  it('splits only at whitespace', () => {
    expect(kinds('Echo a;b c:d ;')).toEqual(['Word:Echo', 'Word:a;b', 'Word:c:d', 'Semicolon:;']);
  });

  it('classifies keywords and punctuation only as whole words', () => {
    expect(kinds('if x { } ;x rule')).toEqual([
      'If:if',
      'Word:x',
      'LBrace:{',
      'RBrace:}',
      'Word:;x',
      'Rule:rule',
    ]);
  });

  it('never makes a quoted or escaped word a keyword', () => {
    expect(kinds('"if" \\; "="')).toEqual(['Word:"if"', 'Word:\\;', 'Word:"="']);
  });

  it('keeps blanks inside quotes and resolves escapes', () => {
    const [a, b, c] = tokenize('"two words" pre"fix"ed a\\ b').tokens;
    expect(decodeWord(a!.image).value).toBe('two words');
    expect(decodeWord(b!.image).value).toBe('prefixed');
    expect(decodeWord(c!.image).value).toBe('a b');
    expect(decodeWord('"\\t\\n"').value).toBe('tn');
    expect(decodeWord('"abc').unterminatedQuote).toBe(true);
  });

  it('treats # as a comment only at the start of a token', () => {
    expect(kinds('a # comment ;\nb#c ;# d\n')).toEqual(['Word:a', 'Word:b#c', 'Word:;#', 'Word:d']);
  });

  it('reads an actions body as raw text up to the matching brace', () => {
    const toks = tokenize('actions A { echo "x" { nested } $(<) }\nEcho ;').tokens;
    expect(toks.map((t) => t.tokenType.name)).toEqual([
      'Actions',
      'Word',
      'LBrace',
      'ActionBody',
      'RBrace',
      'Word',
      'Semicolon',
    ]);
    expect(toks[3]!.image).toBe(' echo "x" { nested } $(<) ');
  });

  it('does not take a brace block after a plain word "actions" for a body', () => {
    const toks = tokenize('Echo actions ;\nrule R { Echo ; }').tokens;
    expect(toks.some((t) => t.tokenType.name === 'ActionBody')).toBe(false);
  });

  it('finds action bodies after flags, bind lists, else, case and on', () => {
    const text = 'if x { } else actions quietly maxline 9 A bind V W { a }\non t actions B { b }';
    const bodies = tokenize(text)
      .tokens.filter((t) => t.tokenType.name === 'ActionBody')
      .map((t) => t.image);
    expect(bodies).toEqual([' a ', ' b ']);
  });

  it('reports an unterminated action body', () => {
    const r = tokenize('actions A { echo');
    expect(r.unterminatedBodies.size).toBe(1);
  });

  it('records lines and columns', () => {
    const toks = tokenize('Echo a ;\n  X = "multi\nline" ;').tokens;
    expect(toks.map((t) => [t.startLine, t.startColumn])).toEqual([
      [1, 1],
      [1, 6],
      [1, 8],
      [2, 3],
      [2, 5],
      [2, 7],
      [3, 7],
    ]);
  });
});
