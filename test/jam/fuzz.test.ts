/**
 * Fuzzing the front end and the interpreter: 10,000 inputs made by mutating
 * and splicing the conformance corpus must each end in a result or a clean,
 * reported error — never a crash or a hang (limits on steps, depth and
 * value size turn runaway programs into errors).
 */
import { describe, expect, it } from 'vitest';
import type { JamEvent } from '../../src/events.js';
import type { Disk } from '../../src/graph/disk.js';
import { Timestamps } from '../../src/graph/timestamps.js';
import { Interpreter, JamExit, JamLimitError, parseSpell } from '../../src/interpreter/interpreter.js';
import { corpusFiles, mutate } from '../helpers/jamFuzz.js';
import { seededRandom } from '../../src/util/random.js';

const ITERATIONS = Number(process.env.JUX_FUZZ_ITERATIONS ?? 10_000);

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
