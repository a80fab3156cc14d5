/**
 * DETAILS: what a spell is (name, version, description, license) and where
 * its sources come from, read from the variables the file leaves set.
 */
import { type Interp, isKnown, type Val } from './evaluate.js';
import type { ReportItem } from './report.js';

export interface SourceInfo {
  /** SOURCE, SOURCE2, ... */
  readonly variable: string;
  readonly file: string;
  readonly urls: readonly string[];
  readonly sha256: string | null;
}

export interface DetailsInfo {
  readonly version: string | null;
  readonly description: string | null;
  readonly license: readonly string[];
  readonly sources: readonly SourceInfo[];
}

/** DETAILS fields sorcery knows that have no jux statement. */
const UNMAPPED_FIELDS = [
  'WEB_SITE', 'ENTERED', 'UPDATED', 'KEYWORDS', 'SECURITY_PATCH', 'PATCHLEVEL', 'SOURCE_DIRECTORY', 'TMPFS',
  'STAGED_INSTALL', 'GATHER_DOCS', 'DOCS', 'DOC_DIRS', 'BUILD_API', 'FORCE_DOWNLOAD', 'ARCHIVE', 'SOURCE_HINTS',
  'SOURCE_URL_FULL', 'CVS_OPTIONS', 'LICENSE_DIR', 'SPELL_BUILD_SYSTEM', 'COMPILER_VERSION', 'SOURCE_URI',
];

/** Schemes jux fetches itself. */
const FETCHED = /^(https?|file):\/\//;

function describe(v: Val): string {
  const what = [...new Set([...v.unknown, ...v.unset.map((u) => `$${u} (unset)`)])];
  return what.join(', ');
}

/** A usable value: known, no unset variable read, no `$(` (jux would expand it). */
function usable(v: Val | undefined): boolean {
  return v !== undefined && isKnown(v) && v.unset.length === 0;
}

export function readDetails(interp: Interp, folderName: string, detailsText: string, report: (i: Omit<ReportItem, 'file'>) => void): DetailsInfo {
  const note = (kind: ReportItem['kind'], message: string): void => report({ kind, line: null, message });
  const spell = interp.get('SPELL');
  if (spell === undefined) note('field', `SPELL is not set: the folder name ${folderName} is used`);
  else if (!isKnown(spell) || spell.s !== folderName) note('field', `SPELL is ${JSON.stringify(spell.s)}, the folder is ${folderName}: the folder name is used`);

  let version: string | null = null;
  const v = interp.get('VERSION');
  if (v === undefined || v.s === '') note('unexpanded', 'VERSION is not set: no Version statement');
  else if (!usable(v)) note('unexpanded', `VERSION ${JSON.stringify(v.s)} cannot be expanded (${describe(v)}): no Version statement`);
  else version = v.s.trim();

  let description: string | null = null;
  const short = interp.get('SHORT');
  if (short === undefined || short.s.trim() === '') note('field', 'SHORT is not set: no Description statement');
  else if (!usable(short)) note('unexpanded', `SHORT ${JSON.stringify(short.s)} cannot be expanded (${describe(short)}): no Description statement`);
  else description = short.s.trim().replace(/\s+/g, ' ');

  const license: string[] = [];
  for (const e of interp.elements('LICENSE')) {
    if (!usable(e.v)) note('unexpanded', `LICENSE[${e.index}] ${JSON.stringify(e.v.s)} cannot be expanded (${describe(e.v)})`);
    else license.push(...e.v.s.split(/\s+/).filter(Boolean));
  }

  const sources: SourceInfo[] = [];
  const names = interp
    .names()
    .map((n) => /^SOURCE([0-9]*)$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .sort((a, b) => Number(a[1] || '1') - Number(b[1] || '1'));
  const files = new Map<string, string>();
  for (const m of names) {
    const name = m[0];
    const fileVal = interp.get(name);
    if (fileVal === undefined || (isKnown(fileVal) && fileVal.s === '')) continue;
    const ignore = interp.get(`${name}_IGNORE`);
    const gpg = interp.get(`${name}_GPG`);
    if (ignore && /signature/.test(ignore.s)) {
      note('signature', `${name} ${fileVal.s} is a signature (${name}_IGNORE=signature${gpg ? `, checked with ${gpg.s}` : ''}): not imported`);
      continue;
    }
    if (!usable(fileVal)) {
      note('unexpanded', `${name} ${JSON.stringify(fileVal.s)} cannot be expanded (${describe(fileVal)}): source not imported`);
      continue;
    }
    const file = fileVal.s.trim();
    if (file.includes('/') || /\s/.test(file)) {
      note('unexpanded', `${name} ${JSON.stringify(file)} is not a file name: source not imported`);
      continue;
    }
    if (files.has(file)) {
      note('duplicate', `${name} ${file} is the same file as ${files.get(file)}: imported once`);
      continue;
    }
    files.set(file, name);
    if (ignore) note('field', `${name}_IGNORE=${ignore.s}: jux has no such setting`);
    const urls: string[] = [];
    for (const e of interp.elements(`${name}_URL`)) {
      const label = `${name}_URL[${e.index}]`;
      if (!usable(e.v)) {
        note('unexpanded', `${label} ${JSON.stringify(e.v.s)} cannot be expanded (${describe(e.v)}): address left out`);
        continue;
      }
      const u = e.v.s.trim();
      if (u === '') continue;
      if (u.includes('$(')) {
        note('unexpanded', `${label} ${u} holds "$(", which jux would expand: address left out`);
        continue;
      }
      if (FETCHED.test(u)) urls.push(u);
      else if (/^ftp:\/\//.test(u)) {
        urls.push(u);
        note('url', `${label} ${u}: jux fetches http, https and file:// itself; an ftp address is only reached through a mirror`);
      } else note('url', `${label} ${u}: not an address jux fetches (version control or sorcery-specific): left out`);
    }
    if (urls.length === 0) note('url', `${name} ${file} has no address jux can fetch: its Source is written as a comment`);
    let sha256: string | null = null;
    const hash = interp.get(`${name}_HASH`);
    if (hash !== undefined && hash.s !== '') {
      const m256 = /^sha256:([0-9a-fA-F]{64})$/.exec(hash.s.trim());
      if (m256 && usable(hash)) sha256 = m256[1]!.toLowerCase();
      else if (!usable(hash)) note('checksum', `${name}_HASH cannot be expanded (${describe(hash)}): ${file} has no checksum`);
      else {
        const alg = /^([a-z0-9]+):/.exec(hash.s)?.[1] ?? 'unknown';
        note('checksum', `${name}_HASH is ${alg}, jux checks sha256 only: ${file} has no checksum`);
      }
    } else if (gpg !== undefined) {
      note('checksum', `${name}_GPG=${gpg.s}: sorcery checks ${file} with a GPG signature, jux has no checksum for it`);
    } else {
      note('checksum', `${file} has no checksum in DETAILS`);
    }
    sources.push({ variable: name, file, urls, sha256 });
  }

  if (sources.length === 0 && names.length === 0) note('unexpanded', 'SOURCE is not set: no Source statement');
  const fields = UNMAPPED_FIELDS.filter((f) => interp.get(f) !== undefined);
  if (/^\s*cat\s*<</m.test(detailsText)) fields.push('the long description');
  if (fields.length) note('field', `not carried (kept in smgl/DETAILS): ${fields.join(', ')}`);
  return { version, description, license, sources };
}
