import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../grammar/tokens.js';
import { JuxError } from '../../src/errors.js';
import { parseSpell } from '../../src/interpreter/interpreter.js';
import { JAM_KEYWORDS } from '../../src/state/keywords.js';
import { formatFailure, formatInstalled, FrontEndNeeded, type InstalledRecord, parseInstalled } from '../../src/state/stateFile.js';
import { readStateRecords as readBytes } from '../../src/state/stateReader.js';

const readStateRecords = (text: string): ReturnType<typeof readBytes> => readBytes(Buffer.from(text, 'latin1'));

const record: InstalledRecord = {
  name: 'galeon',
  version: '1.2.6',
  abi: '1',
  builtAt: '2026-11-21T23:48:44.120Z',
  fingerprint: '3f2a9c0d11aa22bb',
  inputs: { statements: 'a1', scripts: 'b2', sources: 'c3', options: 'd4' },
  options: ['--with "odd" value', 'on', '', 'a\\b', '#x', 'tab\there', 'new\nline'],
  provides: ['BROWSER'],
  root: '/spells with space',
  archive: 'galeon-1.2.6-3f2a9c0d11aa22bb.tar.gz',
  depends: [
    { kind: 'tight', name: 'mozilla' },
    { kind: 'runtime', name: 'xdg-utils' },
  ],
  builtAgainst: new Map([
    ['mozilla', { name: 'mozilla', version: '1.1', abi: '1', fingerprint: 'ff00', builtAt: '2026-01-01T00:00:00.000Z', options: ['$(x)', ';', ':', 'in'] }],
  ]),
};

/** What the front end reads: the statements as invocations, or null when it reports an error or something else. */
function frontEnd(text: string): { rule: string; args: string[][]; line: number }[] | null {
  const { body, diagnostics } = parseSpell('t.state', text);
  if (diagnostics.length) return null;
  const out: { rule: string; args: string[][]; line: number }[] = [];
  for (const s of body) {
    if (s.kind !== 'invoke' || s.rule.kind !== 'lit' || s.args.some((l) => l.some((a) => a.kind !== 'lit'))) return null;
    out.push({ rule: s.rule.text, args: s.args.map((l) => l.map((a) => (a.kind === 'lit' ? a.text : ''))), line: s.line });
  }
  return out;
}

/** The fast reader accepts only what the front end reads the same way. */
function agrees(text: string): boolean {
  const fast = readStateRecords(text);
  if (fast === null) return false;
  expect({ text, read: fast }).toEqual({ text, read: frontEnd(text) });
  return true;
}

/** A small deterministic generator (no timing, no randomness between runs). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('the fast state reader', () => {
  it('knows the same keywords as the grammar', () => {
    expect([...JAM_KEYWORDS].sort()).toEqual([...KEYWORDS.keys()].sort());
  });

  it('reads what jux writes exactly as the front end does', () => {
    expect(agrees(formatInstalled(record))).toBe(true);
    expect(agrees(formatInstalled({ ...record, inputs: null, provides: [], root: null, archive: null, options: [] }))).toBe(true);
    expect(
      agrees(formatFailure({ name: 'g', version: '1', fingerprint: 'ff', at: 'now', phase: 'build', status: '2', log: '/l o g' })),
    ).toBe(true);
    expect(parseInstalled('s/galeon.state', 'galeon', formatInstalled(record), null)).toEqual(record);
  });

  it('agrees with the front end on hand-written variants', () => {
    for (const t of [
      '',
      '# only a comment',
      'R ;',
      'R a : ;',
      'R : ;',
      'R a :  : b c ;',
      'R a:b ;',
      '"R" a ;',
      'R "a b" x\\ y ;',
      'R a ; # c\n#x\nS b ;',
      'R a\n:\nb\n;',
      'R\r\na\v:\fb\t;',
      'R $(x) ;',
      'R a#b ;',
      'R "multi\nline" ;\nS x ;',
      'R a\\\nb ;\nS ;',
      'R "a\\"b" ;',
      'R x""y ;',
      'R "on" ;',
    ]) {
      expect(agrees(t), t).toBe(true);
    }
  });

  it('leaves everything else to the front end', () => {
    for (const t of [
      'R a',
      'R a ; b',
      ' ; ',
      ': a ;',
      'R a = b ;',
      'x = y ;',
      'R on x ;',
      'on x R ;',
      'local x ;',
      'R [ S ] ;',
      'R { x } ;',
      'actions A { echo }',
      'R "a ;',
      'R a\\',
      'R a ;\\',
      'if x { R ; }',
    ]) {
      expect(readStateRecords(t), t).toBeNull();
    }
  });

  it('accepts no cut or mutation of a record that the front end reads otherwise', () => {
    const text = formatInstalled(record);
    // Every truncation.
    for (let i = 0; i <= text.length; i++) agrees(text.slice(0, i));
    // Characters the syntax cares about, put in at many places.
    const specials = ['"', '\\', '#', ':', ';', '=', '\n', ' ', '{', '}', '[', 'on ', ' on', ' in ', '\\\n', '"\n'];
    const rnd = lcg(7);
    let accepted = 0;
    for (let k = 0; k < 1500; k++) {
      let t = text;
      for (let m = 1 + Math.floor(rnd() * 3); m > 0; m--) {
        const at = Math.floor(rnd() * (t.length + 1));
        const what = specials[Math.floor(rnd() * specials.length)]!;
        t = rnd() < 0.8 ? t.slice(0, at) + what + t.slice(at) : t.slice(0, at) + t.slice(at + 1);
      }
      if (agrees(t)) accepted++;
      else if (frontEnd(t) === null) expect(readStateRecords(t)).toBeNull();
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it('reads only the given length of a buffer, and latin1 bytes as they are', () => {
    const text = 'Installed g : 1.0 ;\nRoot g : /caf\xe9 ;\n';
    const bytes = Buffer.from(text + 'garbage = [', 'latin1');
    expect(readBytes(bytes, 0, text.length)).toEqual(frontEnd(text));
    expect(readBytes(bytes, 0, text.length)![1]!.args[1]).toEqual(['/caf\xe9']);
    expect(readBytes(bytes)).toBeNull();
  });

  it('without a front end, asks for one when the text needs it', () => {
    expect(() => parseInstalled('g.state', 'g', 'Installed g : 1 ;\n= x ;', null)).toThrow(FrontEndNeeded);
  });

  it('reports a corrupt or truncated file exactly as before: path, line and column', () => {
    const text = formatInstalled(record);
    const describe = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(JuxError);
        return (e as JuxError).describe();
      }
      return 'no error';
    };
    expect(describe(() => parseInstalled('s/galeon.state', 'galeon', text.slice(0, text.indexOf('Fingerprint') + 20), parseSpell))).toBe(
      's/galeon.state:5:20: syntax error: unexpected end of file, expected `;` (the file is truncated or corrupt)',
    );
    expect(describe(() => parseInstalled('g.state', 'g', 'Installed g : 1 ;\n= x ;', parseSpell))).toMatch(/^g\.state:2:1: syntax error/);
    expect(describe(() => parseInstalled('g.state', 'g', 'Installed g : "1 ;\n', parseSpell))).toMatch(/^g\.state:1:15: unmatched " in string/);
    // Records the fast reader reads but that are wrong are found at their line.
    expect(describe(() => parseInstalled('g.state', 'g', '# c\nInstalled g : 1 ;\n\nBogus g : x ;\n', null))).toMatch(
      /^g\.state:4:1: unknown state record Bogus/,
    );
    expect(describe(() => parseInstalled('g.state', 'g', 'Installed g : "a\nb" ;\nInstalled h : 1 ;\n', null))).toMatch(
      /^g\.state:3:1: record for h in the state file of g/,
    );
  });
});
