/**
 * A phase script started by a shell worker gets what execa would give it:
 * exactly the environment (names a shell would drop or change included),
 * the working directory, standard input from /dev/null, output and errors
 * in order in its log, its exit status; scripts that cannot start are
 * reported as execa reports them; a kill stops the script and what it
 * started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runInWorker, runWithExeca } from '../../src/builder/runScript.js';
import { scriptCommand, ShellWorkers } from '../../src/scheduler/shellWorkers.js';

// Exported by jux (so by its workers' shells) but not given to scripts: a
// script must not see them. (Set before the first worker starts.)
process.env.LEAKED_FROM_JUX = 'leaked';
process.env.JUX_LEAKED_SETTING = 'leaked';
process.env.LINENO = '3';
const top = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-run-'));
const workers = new ShellWorkers(execa);
afterAll(() => {
  workers.close();
  fs.rmSync(top, { recursive: true, force: true });
});

function script(name: string, text: string, mode = 0o755): string {
  const p = path.join(top, name);
  fs.writeFileSync(p, text);
  fs.chmodSync(p, mode);
  return p;
}

const env = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  QUOTES: `it's "quoted" $HOME \`id\` \\ end`,
  NEWLINE: 'one\ntwo',
  UNICODE: 'héllo wörld',
  'NOT-A-SHELL-NAME': 'kept',
  IFS: 'xy',
  PWD: '/not/the/cwd',
  OLDPWD: '/elsewhere',
};

describe('phase scripts through shell workers', () => {
  const run = workers.runScript.bind(workers);

  it('get exactly the environment execa gives', async () => {
    // env(1) itself as the program: it prints its environment as it got it.
    const a = await runInWorker(run, '/usr/bin/env', top, env, path.join(top, 'a.log'), undefined);
    const b = await runWithExeca('/usr/bin/env', top, env, path.join(top, 'b.log'), undefined, null);
    expect(a).toEqual({ code: 0, signal: null, error: null });
    expect(b).toEqual(a);
    const text = fs.readFileSync(path.join(top, 'a.log'), 'utf8');
    expect(text).toBe(fs.readFileSync(path.join(top, 'b.log'), 'utf8'));
    for (const line of ['NOT-A-SHELL-NAME=kept', 'IFS=xy', 'PWD=/not/the/cwd', 'UNICODE=héllo wörld', `QUOTES=${env.QUOTES}`]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('get exactly the environment execa gives when the shell can name every variable', async () => {
    // (Set by the worker's shell itself, without env(1): see scriptCommand.)
    const named = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'NOT-A-SHELL-NAME'));
    Object.assign(named, { LINENO: '9', PPID: '1', PS1: '$ ', ENV: '/e', n: 'shadowed' });
    expect(scriptCommand('/usr/bin/env', top, named, '/log', ['HOME', 'PWD'])).not.toContain('/usr/bin/env -i');
    const a = await runInWorker(run, '/usr/bin/env', top, named, path.join(top, 'a.log'), undefined);
    const b = await runWithExeca('/usr/bin/env', top, named, path.join(top, 'b.log'), undefined, null);
    expect(a).toEqual({ code: 0, signal: null, error: null });
    expect(b).toEqual(a);
    const text = fs.readFileSync(path.join(top, 'a.log'), 'utf8');
    // The same variables with the same values (the shell keeps them in an order of its own).
    const lines = (t: string): string[] => t.split('\n').sort();
    expect(lines(text)).toEqual(lines(fs.readFileSync(path.join(top, 'b.log'), 'utf8')));
    for (const line of ['IFS=xy', 'PWD=/not/the/cwd', 'OLDPWD=/elsewhere', 'LINENO=9', 'n=shadowed', `QUOTES=${env.QUOTES}`, `NEWLINE=one`]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).not.toContain('LEAKED_FROM_JUX');
    expect(text).not.toContain('JUX_LEAKED_SETTING');
    // OPTIND, which the shell will not let go, is set by env(1) instead.
    const held = await runInWorker(run, '/usr/bin/env', top, { OPTIND: 'x' }, path.join(top, 'h.log'), undefined);
    expect(held).toEqual({ code: 0, signal: null, error: null });
    expect(fs.readFileSync(path.join(top, 'h.log'), 'utf8')).toBe('OPTIND=x\n');
    // Nothing of the worker's own: with no variables, nothing at all.
    const c = await runInWorker(run, '/usr/bin/env', top, {}, path.join(top, 'c.log'), undefined);
    expect(c).toEqual({ code: 0, signal: null, error: null });
    expect(fs.readFileSync(path.join(top, 'c.log'), 'utf8')).toBe('');
  });

  it('run in the working directory, input from /dev/null, output and errors in order, with the exit status', async () => {
    const s = script('show', '#!/bin/sh\necho out\necho err >&2\npwd\ncat\necho after\nexit 7\n');
    const a = await runInWorker(run, s, top, env, path.join(top, 'a.log'), undefined);
    const b = await runWithExeca(s, top, env, path.join(top, 'b.log'), undefined, null);
    expect(a).toEqual({ code: 7, signal: null, error: null });
    expect(b).toEqual(a);
    expect(fs.readFileSync(path.join(top, 'a.log'), 'utf8')).toBe(`out\nerr\n${top}\nafter\n`);
    expect(fs.readFileSync(path.join(top, 'b.log'), 'utf8')).toBe(`out\nerr\n${top}\nafter\n`);
  });

  it('report scripts that cannot start as execa does', async () => {
    const cases = [
      script('bad-interpreter', '#!/nonexistent/sh\ntrue\n'),
      script('not-executable', '#!/bin/sh\ntrue\n', 0o644),
      script('interpreter-not-executable', `#!${script('not-a-program', 'text\n', 0o644)}\n`),
    ];
    for (const s of cases) {
      const a = await runInWorker(run, s, top, env, path.join(top, 'c.log'), undefined);
      const b = await runWithExeca(s, top, env, path.join(top, 'd.log'), undefined, null);
      expect(a, s).toEqual(b);
      expect(a.error, s).toMatch(/^spawn .* E[A-Z]+$/);
    }
  });

  it('stop a script and what it started when killed', async () => {
    const marker = path.join(top, 'survived');
    const s = script('slow', `#!/bin/sh\n(sleep 1; touch '${marker}') &\nsleep 5\n`);
    const r = await runInWorker(run, s, top, env, path.join(top, 'e.log'), (kill) => setTimeout(kill, 200));
    expect(r).toEqual({ code: null, signal: 'SIGTERM', error: null });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fs.existsSync(marker)).toBe(false);
  });
});
