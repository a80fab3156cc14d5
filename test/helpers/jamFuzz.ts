/**
 * Jam programs for fuzzing: the conformance corpus, and mutations of it
 * (splices, deletions, syntactic pieces, flipped bytes, duplications, joins).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CORPUS } from './paths.js';

/** The text of every program in the conformance corpus (read as bytes, latin1). */
export function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!['expected', 'args', 'setup', 'env'].includes(e.name)) out.push(fs.readFileSync(p, 'latin1'));
    }
  };
  walk(CORPUS);
  return out;
}


const PIECES = [
  ' ; ', ' : ', ' { ', ' } ', ' [ ', ' ] ', ' = ', ' += ', ' ?= ', ' if ', ' else ', ' while ', ' for x in ',
  ' rule R ', ' actions A ', ' local ', ' return ', ' on ', ' switch ', ' case ', ' include ', '"', '\\',
  '$(', ')', '$(X)', '$(1)', ':J=', ':E=', '[1-]', ' R ', ' Echo ', ' Depends ', ' Match ', ' Glob ', '#', '\n',
];

export function mutate(files: string[], r: () => number): string {
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  let text = pick(files);
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * (text.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0: // splice in a part of another file
        {
          const other = pick(files);
          const a = Math.floor(r() * other.length);
          text = text.slice(0, at) + other.slice(a, a + Math.floor(r() * 200)) + text.slice(at);
        }
        break;
      case 1: // delete a stretch
        text = text.slice(0, at) + text.slice(at + Math.floor(r() * 40));
        break;
      case 2: // insert a syntactic piece
        text = text.slice(0, at) + pick(PIECES) + text.slice(at);
        break;
      case 3: // flip a byte
        text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 256)) + text.slice(at + 1);
        break;
      case 4: // duplicate a stretch
        text = text.slice(0, at) + text.slice(at, at + Math.floor(r() * 80)).repeat(2) + text.slice(at + 80);
        break;
      default: // join with another whole file
        text = text + '\n' + pick(files);
    }
  }
  return text;
}
