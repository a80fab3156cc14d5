/**
 * File names split into Jam's parts: <grist>dir/base.suffix(member),
 * plus a root that can be prepended. A faithful port of jam's path_parse()
 * and path_build() for Unix.
 */

export interface PathName {
  /** The grist without its closing '>' (as jam stores it), or ''. */
  grist: string;
  root: string;
  dir: string;
  base: string;
  suffix: string;
  member: string;
}

export function parsePath(file: string): PathName {
  const f: PathName = { grist: '', root: '', dir: '', base: '', suffix: '', member: '' };
  let start = 0;
  if (file.charCodeAt(0) === 0x3c /* < */) {
    const p = file.indexOf('>');
    if (p >= 0) {
      f.grist = file.slice(0, p);
      start = p + 1;
    }
  }
  const slash = file.lastIndexOf('/');
  if (slash >= start) {
    // "/" alone is the directory "/", not "".
    f.dir = slash === start ? '/' : file.slice(start, slash);
    start = slash + 1;
  }
  let end = file.length;
  const paren = file.indexOf('(', start);
  if (paren >= 0 && end > 0 && file.charCodeAt(end - 1) === 0x29 /* ) */ && end - 1 >= start) {
    f.member = file.slice(paren + 1, end - 1);
    end = paren;
  }
  const dot = end > start ? file.lastIndexOf('.', end - 1) : -1;
  if (dot >= start) {
    f.suffix = file.slice(dot, end);
    end = dot;
  }
  f.base = file.slice(start, end);
  return f;
}

export function buildPath(f: PathName): string {
  let out = '';
  if (f.grist.length) {
    if (f.grist[0] !== '<') out += '<';
    out += f.grist;
    if (f.grist[f.grist.length - 1] !== '>') out += '>';
  }
  // Don't prepend the root if it is "." or the directory is rooted.
  if (f.root.length && f.root !== '.' && !(f.dir.length && f.dir[0] === '/')) {
    out += f.root + '/';
  }
  if (f.dir.length) out += f.dir;
  if (f.dir.length && (f.base.length || f.suffix.length) && f.dir !== '/') out += '/';
  out += f.base + f.suffix;
  if (f.member.length) out += '(' + f.member + ')';
  return out;
}
