/**
 * Writes one Jamfile equivalent to a spell tree, for real jam 2.6.1: it
 * defines the spell vocabulary as Jam rules — each package a NotFile target
 * that `all` depends on, attributes recorded as target-specific variables,
 * TightDepends / LooseDepends / BuildDepends as Depends edges onto NotFile
 * targets, RuntimeDepends / OptionalDepends / Provides as variables only —
 * then holds the statements of every *.jux file under the root, in jux's
 * load order (sorted paths).
 *
 * jam's parser runs out of stack ("memory exhausted") past about 9,990
 * statements in one block, so whole files are wrapped in `{ }` blocks of
 * about 1,000 statements (a block is one statement at the top level).
 *
 * With `actions`, every package also gets one `true` action and Always, so
 * `jam -j2` runs one `true` per package, in dependency order.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface JamfileStats {
  readonly files: number;
  readonly statements: number;
  readonly blocks: number;
  readonly bytes: number;
}

const PRELUDE = `# The spell vocabulary as plain Jam rules (bench/spellsToJamfile.ts).
NotFile all ;
rule Spell { NotFile $(1) ; Depends all : $(1) ; @ACTIONS@}
rule Version { VERSION on $(1) = $(2) ; }
rule Description { DESCRIPTION on $(1) = $(2) ; }
rule License { LICENSE on $(1) = $(2) ; }
rule Section { SECTION on $(1) = $(2) ; }
rule Abi { ABI on $(1) = $(2) ; }
rule Source { SOURCES on $(1) += $(2) ; }
rule Url { URLS on $(1) += $(2) ; }
rule Sha256 { SHA256 on $(1) = $(2) ; }
rule DependsOn { NotFile $(2) ; Depends $(1) : $(2) ; }
rule TightDepends { TIGHT on $(1) += $(2) ; DependsOn $(1) : $(2) ; }
rule LooseDepends { LOOSE on $(1) += $(2) ; DependsOn $(1) : $(2) ; }
rule BuildDepends { BUILDDEPS on $(1) += $(2) ; DependsOn $(1) : $(2) ; }
rule RuntimeDepends { RUNTIME on $(1) += $(2) ; }
rule OptionalDepends { OPTIONAL on $(1) += $(2) ; OPTION_FLAGS on $(1) += $(3) $(4) ; OPTION_TEXT on $(1) += $(5) ; }
rule Provides { PROVIDES on $(1) += $(2) ; PROVIDERS on $(2) += $(1) ; }
`;

/** Every *.jux file under `root`, sorted by path (jux's load order). */
export function spellFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = dir + '/' + e.name;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jux')) out.push(p);
    }
  };
  walk(root);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Statements in a spell file: `;` tokens (standing alone between blanks). */
function countStatements(text: string): number {
  let n = 0;
  const re = /(?:^|[ \t\r\n]);(?=[ \t\r\n]|$)/g;
  while (re.exec(text) !== null) n++;
  return n;
}

export function spellsToJamfile(root: string, jamfile: string, opts: { actions?: boolean; perBlock?: number } = {}): JamfileStats {
  const perBlock = opts.perBlock ?? 1000;
  const fd = fs.openSync(jamfile, 'w');
  let bytes = 0;
  const write = (s: string | Buffer): void => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    fs.writeSync(fd, b);
    bytes += b.length;
  };
  try {
    if (opts.actions) write('actions Build { true }\n');
    write(PRELUDE.replace('@ACTIONS@', opts.actions ? 'Build $(1) ; Always $(1) ; ' : ''));
    const files = spellFiles(path.resolve(root));
    let open = false;
    let inBlock = 0;
    let statements = 0;
    let blocks = 0;
    for (const f of files) {
      const text = fs.readFileSync(f);
      if (!open) {
        write('{\n');
        open = true;
        blocks++;
      }
      write(text);
      if (text.length && text[text.length - 1] !== 0x0a) write('\n');
      const k = countStatements(text.toString('latin1'));
      inBlock += k;
      statements += k;
      if (inBlock >= perBlock) {
        write('}\n');
        open = false;
        inBlock = 0;
      }
    }
    if (open) write('}\n');
    return { files: files.length, statements, blocks, bytes };
  } finally {
    fs.closeSync(fd);
  }
}
