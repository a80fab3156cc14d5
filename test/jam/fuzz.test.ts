/**
 * Fuzzing the front end and the interpreter: 10,000 inputs made by mutating
 * and splicing the conformance corpus must each end in a result or a clean,
 * reported error — never a crash or a hang (limits on steps, depth and
 * value size turn runaway programs into errors).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JamEvent } from '../../src/events.js';
import type { Disk } from '../../src/graph/disk.js';
import { Timestamps } from '../../src/graph/timestamps.js';
import { Interpreter, JamExit, JamLimitError, parseSpell } from '../../src/interpreter/interpreter.js';
import { CORPUS } from '../helpers/paths.js';
import { seededRandom } from '../../src/util/random.js';

const ITERATIONS = Number(process.env.JUX_FUZZ_ITERATIONS ?? 10_000);

function corpusFiles(): string[] {
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

function mutate(files: string[], r: () => number): string {
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

class MemoryDisk implements Disk {
  constructor(private readonly files: Map<string, string>) {}
  stat(p: string) {
    return this.files.has(p) ? { mtime: 1, isDirectory: false } : null;
  }
  readdir() {
    return ['a.c', 'b.h'];
  }
  readFile(p: string): string {
    const t = this.files.get(p);
    if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    return t;
  }
  unlink() {
    return false;
  }
}

describe('fuzzing', () => {
  it(`survives ${ITERATIONS} mutated programs`, () => {
    const files = corpusFiles();
    const r = seededRandom(Number(process.env.JUX_FUZZ_SEED ?? 20261121));
    const events: Record<string, number> = {};
    for (let i = 0; i < ITERATIONS; i++) {
      const text = mutate(files, r);
      // Spell mode: recovery must always end with a list of diagnostics.
      const spell = parseSpell('fuzz.jux', text);
      expect(Array.isArray(spell.diagnostics)).toBe(true);
      // Jam mode: parse and run with guards.
      const disk = new MemoryDisk(new Map([['inc.jam', 'Echo included ;']]));
      const interp = new Interpreter({
        reporter: { emit: (e: JamEvent) => void (events[e.type] = (events[e.type] ?? 0) + 1) },
        disk,
        timestamps: new Timestamps(disk),
        mode: 'jam',
        maxSteps: 20_000,
        maxDepth: 200,
        maxValueSize: 100_000,
      });
      try {
        interp.parseText('Jamfile', text);
      } catch (e) {
        if (!(e instanceof JamExit) && !(e instanceof JamLimitError)) {
          throw new Error(`input ${i} crashed: ${(e as Error).stack}\n--- input ---\n${text}`);
        }
      }
    }
    // The mutations must really reach the error paths and the interpreter.
    expect(events.syntaxError ?? 0).toBeGreaterThan(ITERATIONS / 10);
    expect(events.echo ?? 0).toBeGreaterThan(ITERATIONS);
  });
});
