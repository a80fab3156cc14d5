/** Which command lines look for a remembered answer before the command-line parser is loaded. */
import { describe, expect, it } from 'vitest';
import { withoutGlobalOptions } from '../../src/cli/memo.js';

describe('remembered answers without the parser', () => {
  it('are looked up only for command lines without global options', () => {
    for (const argv of [['plan'], ['plan', '--json'], ['why', 'greet', '--json'], ['graph', '--dot', 'curl'], ['plan', '-a', '--rebuild', 'x'], ['search', 'root']]) {
      expect(withoutGlobalOptions(argv), argv.join(' ')).toBe(true);
    }
    for (const argv of [
      ['--plain', 'plan'],
      ['plan', '--plain'],
      ['--config', 'x.yaml', 'plan'],
      ['--config=x.yaml', 'plan'],
      ['plan', '--spell-root=a'],
      ['--root', 'r', 'list'],
      ['--state', 's', 'list'],
      ['--cache-dir', 'c', 'info', 'x'],
      ['plan', '--help'],
      ['plan', '-h'],
      ['plan', '--', 'x'],
    ]) {
      expect(withoutGlobalOptions(argv), argv.join(' ')).toBe(false);
    }
  });
});
