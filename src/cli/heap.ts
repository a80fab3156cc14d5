/**
 * V8 settings for jux's workload, made before any command runs.
 *
 * Loading a large tree reads hundreds of thousands of small records: most
 * objects made while reading die at once, a few (the records) live to the
 * end. V8's allocation-site pretenuring sees the survivors and then puts
 * everything made at those sites straight into the old generation, dead
 * or alive, which on 100,000 installed packages grew the heap by over a
 * gigabyte of garbage (1.9 GB peak instead of 1.0 GB, and the time to mark
 * it). Without pretenuring the young generation sorts them as it should.
 */
import v8 from 'node:v8';

let tuned = false;

export function tuneHeap(): void {
  if (tuned) return;
  tuned = true;
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
