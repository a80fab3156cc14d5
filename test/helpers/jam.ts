/** Run Jam source in-process and capture what jam would print. */
import type { Disk } from '../../src/graph/disk.js';
import { NodeDisk } from '../../src/graph/disk.js';
import { Timestamps } from '../../src/graph/timestamps.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import { JamRenderer } from '../../src/render/jamRenderer.js';
import { MemorySink } from '../../src/render/stdio.js';

export interface EvalResult {
  readonly output: string;
  readonly interp: Interpreter;
}

export function evalJam(text: string, opts: { disk?: Disk; mode?: 'jam' | 'jux'; file?: string } = {}): EvalResult {
  const sink = new MemorySink();
  const disk = opts.disk ?? new NodeDisk();
  const interp = new Interpreter({
    reporter: new JamRenderer(sink),
    disk,
    timestamps: new Timestamps(disk),
    mode: opts.mode ?? 'jam',
  });
  interp.parseText(opts.file ?? 'Jamfile', text);
  return { output: sink.text, interp };
}

/** Echo output of a program, lines without the trailing blank jam adds. */
export function echoLines(text: string): string[] {
  return evalJam(text)
    .output.split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/ $/, ''));
}
