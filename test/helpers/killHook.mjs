/**
 * Preloaded into a jux process (NODE_OPTIONS=--import=.../killHook.mjs) to
 * kill it at an exact point: it SIGKILLs itself at the Nth rename whose
 * destination is under JUX_KILL_UNDER (before or after that rename, by
 * JUX_KILL_WHEN), which walks a transaction through every place where it
 * changes the root or the state. With JUX_KILL_COUNT_FILE it only counts
 * those renames and writes the count there at exit. Nothing in jux knows
 * about it. Plain
 * JavaScript, so it is loaded as it is (not from dist/).
 */
import fs from 'node:fs';

const n = Number(process.env.JUX_KILL_RENAME ?? '0');
const under = process.env.JUX_KILL_UNDER ?? '';
const before = process.env.JUX_KILL_WHEN === 'before';
if (process.env.JUX_KILL_COUNT_FILE && under) {
  // Counting mode: how many renames under JUX_KILL_UNDER a whole run makes.
  let count = 0;
  const rename = fs.renameSync;
  fs.renameSync = (from, to) => {
    if (String(to).startsWith(under + '/')) count++;
    rename(from, to);
  };
  process.on('exit', () => fs.writeFileSync(process.env.JUX_KILL_COUNT_FILE, String(count)));
} else if (n > 0 && under) {
  let count = 0;
  const rename = fs.renameSync;
  fs.renameSync = (from, to) => {
    const hit = String(to).startsWith(under + '/') && ++count === n;
    if (hit && before) process.kill(process.pid, 'SIGKILL');
    rename(from, to);
    if (hit) process.kill(process.pid, 'SIGKILL');
  };
}
