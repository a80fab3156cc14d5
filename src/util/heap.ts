/**
 * A full garbage collection on request.
 *
 * V8 collects the old generation when it judges the heap has grown enough,
 * not when a program knows a large structure has just died. Evaluating a
 * large spell tree leaves its facts (about half the heap at 100,000 spells)
 * as garbage once the package graph is built; left to V8, the next stages
 * (state records, resolution) pile on top of it and the process's peak
 * memory is the sum. Collecting there costs a few hundred milliseconds at
 * 100,000 spells, most of which V8 would spend later anyway.
 *
 * Node exposes `gc()` only with --expose-gc; the flag can be set at run
 * time, after which a new context sees the function.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null = null;

export function collectGarbage(): void {
  if (gc === null) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}
