import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JuxError } from '../../src/errors.js';
import { parseSpell } from '../../src/interpreter/interpreter.js';
import { formatInstalled, type InstalledRecord, parseInstalled } from '../../src/state/stateFile.js';
import { StateStore } from '../../src/state/stateStore.js';

const record: InstalledRecord = {
  name: 'galeon',
  version: '1.2.6',
  abi: '1',
  builtAt: '2026-11-21T23:48:44.120Z',
  fingerprint: '3f2a9c0d11aa22bb',
  inputs: { statements: 'a1', scripts: 'b2', sources: 'c3', options: 'd4' },
  options: ['--with "odd" value', 'on', ''],
  provides: ['BROWSER'],
  root: '/spells with space',
  archive: 'galeon-1.2.6-3f2a9c0d11aa22bb.tar.gz',
  depends: [
    { kind: 'tight', name: 'mozilla' },
    { kind: 'runtime', name: 'xdg-utils' },
  ],
  builtAgainst: new Map([
    ['mozilla', { name: 'mozilla', version: '1.1', abi: '1', fingerprint: 'ff00', builtAt: '2026-01-01T00:00:00.000Z', options: ['$(x)', ';'] }],
  ]),
};

function expectError(f: () => unknown, re: RegExp, line?: number): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(JuxError);
    expect((e as JuxError).describe()).toMatch(re);
    if (line !== undefined) expect((e as JuxError).at?.line).toBe(line);
    return;
  }
  throw new Error('no error');
}

describe('state files', () => {
  it('are written in the spell language and read back exactly', () => {
    const text = formatInstalled(record);
    expect(text).toContain('Installed    galeon : 1.2.6 ;');
    expect(text).toContain('BuiltAgainst galeon : mozilla : 1.1 : 1 : ff00 : 2026-01-01T00:00:00.000Z : "$(x)" ";" ;'.replace('"$(x)"', '"\\$(x)"'));
    expect(parseInstalled('s/galeon.state', 'galeon', text, parseSpell)).toEqual(record);
  });

  it('report a truncated file with its path and line', () => {
    const text = formatInstalled(record);
    const cut = text.slice(0, text.indexOf('Fingerprint') + 20);
    expectError(() => parseInstalled('s/galeon.state', 'galeon', cut, parseSpell), /^s\/galeon\.state:\d+:\d+: .*truncated or corrupt/);
  });

  it('report garbage, unknown records and records of another package', () => {
    expectError(() => parseInstalled('g.state', 'g', 'Installed g : 1 ;\n= x ;', parseSpell), /^g\.state:2:1: syntax error/, 2);
    expectError(() => parseInstalled('g.state', 'g', 'Installed g : 1 ;\nBogus g : x ;\n', parseSpell), /unknown state record Bogus/, 2);
    expectError(() => parseInstalled('g.state', 'g', 'Installed h : 1 ;\n', parseSpell), /record for h in the state file of g/, 1);
    expectError(() => parseInstalled('g.state', 'g', '# empty\n', parseSpell), /no Installed record for g/);
    expectError(() => parseInstalled('g.state', 'g', 'Installed g : 1 ;\n', parseSpell), /incomplete record/);
  });

  it('a store never treats a corrupt record as "not installed"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-state-'));
    const store = new StateStore(dir, path.join(dir, '..', `${path.basename(dir)}.cache`));
    store.writeInstalled(record);
    expect((await store.load()).installed.get('galeon')).toEqual(record);
    fs.writeFileSync(store.statePath('galeon'), formatInstalled(record).slice(0, 200));
    const err = await store.load().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(JuxError);
    expect((err as JuxError).describe()).toMatch(/galeon\.state:\d+:\d+: .*truncated or corrupt/);
  });
});
