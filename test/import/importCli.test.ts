/**
 * `jux import smgl` through the real binary: the 400-spell sample becomes a
 * tree that `jux check --spells` accepts with no errors and `jux plan`
 * plans completely; bad arguments are refused with status 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED } from '../helpers/paths.js';
import { runJux, tempDir } from '../helpers/run.js';

const SAMPLE = path.join(SHARED, 'data', 'smgl-sample');

describe('jux import smgl', () => {
  it('imports the sample into a tree that lints clean and plans', async () => {
    const dir = tempDir('jux-import-');
    const r = await runJux(['import', 'smgl', SAMPLE, 'tree'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Converted 400 of 400 spells into tree\.$/m);
    expect(fs.existsSync(path.join(dir, 'tree', 'IMPORT-REPORT.txt'))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'tree', 'editors', 'ed', 'ed.jux'), 'utf8')).toMatch(/^Spell +ed ;$/m);

    const tree = path.join(dir, 'tree');
    const check = await runJux(['check', '--spells', '--json'], { cwd: tree });
    const lint = JSON.parse(check.stdout) as { errors: number; warnings: number };
    expect(lint.errors, check.stdout.slice(0, 2000)).toBe(0);
    expect(check.code).toBe(0);

    const plan = await runJux(['plan', '--json'], { cwd: tree });
    expect(plan.code, plan.stderr.slice(0, 2000)).toBe(0);
    const p = JSON.parse(plan.stdout) as { entries: { name: string }[]; unbuildable: unknown[] };
    expect(p.unbuildable).toEqual([]);
    expect(p.entries.length).toBeGreaterThanOrEqual(398);

    // A source jux cannot fetch is kept as a comment, and reported.
    const dbus = fs.readFileSync(path.join(tree, 'utils', 'dbus-mono', 'dbus-mono.jux'), 'utf8');
    expect(dbus).toMatch(/^# Source +dbus-mono : dbus-mono-git\.tar\.bz2 ;  \(no address jux can fetch/m);
    expect(fs.readFileSync(path.join(tree, 'IMPORT-REPORT.txt'), 'utf8')).toMatch(
      /dbus-mono-git\.tar\.bz2 has no address jux can fetch: its Source is written as a comment/,
    );
  });

  it('refuses a missing grimoire and a non-empty destination, with status 2', async () => {
    const dir = tempDir('jux-import-');
    let r = await runJux(['import', 'smgl', path.join(dir, 'nope'), 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no grimoire at .*nope/);
    fs.mkdirSync(path.join(dir, 'out'));
    fs.writeFileSync(path.join(dir, 'out', 'keep.txt'), 'mine');
    r = await runJux(['import', 'smgl', SAMPLE, 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/out already exists and is not an empty folder/);
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual(['keep.txt']);
  });
});
