import { describe, expect, it } from 'vitest';
import { globMatch } from '../../src/interpreter/glob.js';
import { buildPath, parsePath } from '../../src/interpreter/pathname.js';
import { compileRegexp, execRegexp, RegexpError } from '../../src/interpreter/regexp.js';

describe('glob', () => {
  it('matches *, ?, sets, ranges, negation and escapes', () => {
    expect(globMatch('*.c', 'foo.c')).toBe(true);
    expect(globMatch('*.c', 'foo.h')).toBe(false);
    expect(globMatch('?.o', 'a.o')).toBe(true);
    expect(globMatch('?.o', 'ab.o')).toBe(false);
    expect(globMatch('*.[hH]', 'y.H')).toBe(true);
    expect(globMatch('[^a-m]*', 'zebra')).toBe(true);
    expect(globMatch('[^a-m]*', 'apple')).toBe(false);
    expect(globMatch('\\*', '*')).toBe(true);
    expect(globMatch('\\*', 'x')).toBe(false);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true);
  });
});

describe('pathname', () => {
  it('parses and rebuilds names', () => {
    for (const p of ['dir/sub/file.tar.gz', '<g>x.h', 'lib.a(m.o)', '/', '/r/s.o', '.hidden', 'noext.']) {
      expect(buildPath(parsePath(p))).toBe(p);
    }
    expect(buildPath(parsePath('dir/'))).toBe('dir');
    expect(parsePath('<g>d/f.c')).toEqual({ grist: '<g', root: '', dir: 'd', base: 'f', suffix: '.c', member: '' });
  });
});

describe('regexp', () => {
  const m = (re: string, s: string): string[] | null => execRegexp(compileRegexp(re), s);
  it('has Spencer semantics', () => {
    expect(m('a(b*)c', 'xabbbcx')).toEqual(['bbb']);
    expect(m('(a)|(b)', 'b')).toEqual(['', 'b']);
    expect(m('([^.]*)\\.(.*)', 'file.tar.gz')).toEqual(['file', 'tar.gz']);
    expect(m('x', 'x')).toEqual([]);
    expect(m('a{2}', 'a{2}')).toEqual([]);
    expect(m('\\d', 'd')).toEqual([]);
    expect(m('[\\]', '\\')).toEqual([]);
    expect(m('^Installed ([^ ]+) : ', 'Installed gtk+ : 1.2 ;\n')).toEqual(['gtk+']);
    expect(m('\\<foo\\>', 'a foo b')).toEqual([]);
    expect(m('\\<foo\\>', 'afoo')).toBeNull();
    expect(m('a\nb', 'b')).toEqual([]);
  });
  it('rejects what Spencer rejects, with its messages', () => {
    const err = (re: string): string => {
      try {
        compileRegexp(re);
        return 'compiled';
      } catch (e) {
        return e instanceof RegexpError ? e.message : 'other';
      }
    };
    expect(err('(a*)*')).toBe('*+ operand could be empty');
    expect(err('*a')).toBe('?+* follows nothing');
    expect(err('a**')).toBe('nested *?+');
    expect(err('(a')).toBe('unmatched ()');
    expect(err('a)')).toBe('unmatched ()');
    expect(err('[a')).toBe('unmatched []');
    expect(err('[z-a]')).toBe('invalid [] range');
    expect(err('a\\')).toBe('trailing \\');
    expect(err('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)')).toBe('too many ()');
  });
});
