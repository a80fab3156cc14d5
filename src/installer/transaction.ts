/**
 * Installing and removing packages as transactions (DESIGN.md §6).
 *
 * A step (install or remove one package) goes:
 *   1. journal the intent;
 *   2. in ROOT/.jux-staging/tx-ID-N/: extract the new tree (or copy the
 *      staged tree of a package just built), and write meta.json (old
 *      records, new file list, directories to create, files to move aside)
 *      — the journal line, meta.json and the replaced record (history/) are
 *      synced together, all on disk before anything below;
 *   3. move every file the step replaces or drops into backup/;
 *   4. create directories, move the new files into place (rename: atomic
 *      per file), remove directories left empty;
 *      a protected config file the user changed (configProtect.ts) is
 *      neither moved aside nor replaced: the new version goes beside it as
 *      PATH.juxnew (an older PATH.juxnew is moved aside like a replaced
 *      file), which meta.json lists, so an undo removes or restores only
 *      the .juxnew;
 *   5. write NAME.files and NAME.state atomically (write, fsync, rename);
 *   6. journal `done`.
 * The step directory (with the backups) goes when the transaction commits.
 *
 * Recovery (run before anything else by every command that changes the
 * system) undoes an unfinished step from its meta.json and backups —
 * restoring the old files and records exactly — keeps the finished steps,
 * and commits the transaction. So after a crash at any moment each package
 * is either fully at its old version or fully at its new one.
 */
import fs from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { JuxError } from '../errors.js';
import { scanTree } from '../builder/manifest.js';
import { type FileEntry, formatFiles, parseFiles } from '../state/files.js';
import { formatInstalled, type InstalledRecord } from '../state/stateFile.js';
import type { StateStore } from '../state/stateStore.js';
import { extractArchive } from './archive.js';
import { changed } from './changed.js';
import { type ConfigProtection, DEFAULT_PROTECTION, isProtected, JUXNEW } from '../config/configProtect.js';
import { planProtection, type ProtectedFile } from './protectPlan.js';
import { removeTree } from './removeTree.js';
import { copyStagedTree, type StagedTree } from './stagedCopy.js';
import { type DurableFile, writeDurably } from './durable.js';
import { Journal, type JournalStep, type Transaction } from './journal.js';

export const STAGING = '.jux-staging';

interface StepMeta {
  readonly op: 'install' | 'remove';
  readonly name: string;
  readonly oldState: string | null;
  readonly oldFiles: string | null;
  /** Files (not directories) the new version puts in place. */
  readonly newFiles: readonly FileEntry[];
  /**
   * Paths of newFiles put at PATH.juxnew instead of PATH (protected files
   * the user changed: PATH itself is not touched). Absent in steps written
   * before config protection.
   */
  readonly juxnew?: readonly string[];
  /** Directories to create, shallowest first. */
  readonly createDirs: readonly { path: string; mode: number }[];
  /** Paths moved aside before the new ones go in (replaced or dropped). */
  readonly backups: readonly string[];
  /** Directories of the old version to remove if empty, deepest first. */
  readonly dropDirs: readonly string[];
}

/** A package's files staged and checked by Installer.prepare, ready to install. */
export interface PreparedInstall {
  readonly name: string;
  readonly archive: string;
  /** ROOT/.jux-staging/prep-ID-NAME, holding new/root/... */
  readonly prep: string;
  readonly entries: FileEntry[];
}

export interface RemoveReport {
  /** Files kept because they were changed since installation. */
  readonly keptChanged: string[];
}

export interface InstallReport {
  /** Protected files the user changed (or made), kept as they are. */
  readonly protected: readonly ProtectedFile[];
}

/** Who owns each path under the root, from every NAME.files. */
export class Ownership {
  private readonly owner = new Map<string, string>();
  /** Every package that lists a path (files and links; two or more is a conflict). */
  private readonly claims = new Map<string, Set<string>>();
  private readonly lists = new Map<string, FileEntry[]>();

  constructor(store: StateStore) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(store.dir).filter((f) => f.endsWith('.files'));
    } catch {
      // no state yet
    }
    for (const f of names.sort()) {
      const name = f.slice(0, -'.files'.length);
      const p = path.join(store.dir, f);
      this.set(name, parseFiles(p, fs.readFileSync(p, 'utf8')));
    }
  }

  ownerOf(p: string): string | undefined {
    return this.owner.get(p);
  }
  /** The packages other than `name` that list the file `p`. */
  othersOf(p: string, name: string): string[] {
    return [...(this.claims.get(p) ?? [])].filter((n) => n !== name).sort();
  }
  /** True when a package other than `name` lists the file `p`. */
  claimedByOther(p: string, name: string): boolean {
    const c = this.claims.get(p);
    if (!c) return false;
    return c.size > (c.has(name) ? 1 : 0);
  }
  filesOf(name: string): FileEntry[] | undefined {
    return this.lists.get(name);
  }
  packages(): IterableIterator<[string, FileEntry[]]> {
    return this.lists.entries();
  }

  set(name: string, entries: FileEntry[] | null): void {
    const old = this.lists.get(name);
    if (old) {
      for (const e of old) {
        if (this.owner.get(e.path) === name) this.owner.delete(e.path);
        const c = this.claims.get(e.path);
        if (c) {
          c.delete(name);
          if (!c.size) this.claims.delete(e.path);
          else if (!this.owner.has(e.path)) this.owner.set(e.path, [...c][0]!);
        }
      }
    }
    if (entries === null) {
      this.lists.delete(name);
      return;
    }
    this.lists.set(name, entries);
    for (const e of entries) {
      if (e.type !== 'd' || !this.owner.has(e.path)) this.owner.set(e.path, name);
      if (e.type !== 'd') {
        const c = this.claims.get(e.path) ?? new Set<string>();
        c.add(name);
        this.claims.set(e.path, c);
      }
    }
  }

  /** True when another package (besides `name`) has `dir` in its list. */
  dirShared(dir: string, name: string): boolean {
    for (const [n, l] of this.lists) if (n !== name && l.some((e) => e.path === dir)) return true;
    return false;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function syncWrite(file: string, data: string): void {
  writeFileAtomic.sync(file, data, { fsync: true });
}

export class Installer {
  readonly staging: string;
  private ownership: Ownership | null = null;
  private realRoot: string | null = null;

  constructor(
    readonly root: string,
    readonly store: StateStore,
    readonly journal: Journal,
    readonly protection: ConfigProtection = DEFAULT_PROTECTION,
  ) {
    this.staging = path.join(root, STAGING);
  }

  owners(): Ownership {
    this.ownership ??= new Ownership(this.store);
    return this.ownership;
  }

  private abs(p: string): string {
    return path.join(this.root, p);
  }

  private stepDir(tx: Transaction, step: JournalStep): string {
    return path.join(this.staging, `tx-${tx.id}-${step.n}`);
  }

  /** Refuse to place a file where a path component leads out of the root. */
  private checkParents(rel: string): void {
    this.realRoot ??= fs.realpathSync(this.root);
    let dir = path.dirname(this.abs(rel));
    while (dir.length > this.root.length && !exists(dir)) dir = path.dirname(dir);
    const real = fs.realpathSync(dir);
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) {
      throw new JuxError(`cannot install ${rel}: ${path.relative(this.root, dir) || '.'} leads outside the root (to ${real})`);
    }
  }

  /**
   * Put a package's files in its preparation folder in the staging area
   * (ROOT/.jux-staging/prep-ID-NAME), checked: extracted from its archive,
   * or — just built — copied from its staged tree after the archive has
   * been checked against the same list. Nothing outside the staging area
   * changes, so this may run while other packages install (the scheduler
   * does it as part of the build); install() or discard() takes it from
   * there, and recovery sweeps one a crash left behind.
   */
  async prepare(tx: Transaction, name: string, archive: string, staged?: StagedTree): Promise<PreparedInstall> {
    const prep = path.join(this.staging, `prep-${tx.id}-${name}`);
    fs.rmSync(prep, { recursive: true, force: true });
    fs.mkdirSync(prep, { recursive: true });
    try {
      if (staged) {
        // Just built: the archive was written from the staged tree's list,
        // each entry checked against it as it was written (createArchive);
        // the files come from that tree, checked against the same list again
        // as they are copied.
        const entries = [...staged.files];
        copyStagedTree(staged, path.join(prep, 'new', 'root'), `${name}'s staged tree`);
        return { name, archive, prep, entries };
      }
      await extractArchive(archive, path.join(prep, 'new'));
      return { name, archive, prep, entries: checkedFileList(archive, name, path.join(prep, 'new')) };
    } catch (e) {
      fs.rmSync(prep, { recursive: true, force: true });
      removeIfEmpty(this.staging);
      throw e;
    }
  }

  /** A prepared install that will not happen: its folder goes. */
  discard(prepared: PreparedInstall): void {
    fs.rmSync(prepared.prep, { recursive: true, force: true });
    removeIfEmpty(this.staging);
  }

  /**
   * Install a package from its archive (or as prepared by prepare()),
   * replacing the installed version. Throws (changing nothing) on an unsafe
   * or inconsistent archive and on conflicts with other packages' files; a
   * step that fails half-way is undone before the error is passed on.
   * Protected config files the user changed are kept (see planProtection);
   * the report lists them.
   */
  async install(
    tx: Transaction,
    record: InstalledRecord,
    archive: string,
    prevArchive: string | null,
    prepared?: PreparedInstall,
  ): Promise<InstallReport> {
    const name = record.name;
    const owners = this.owners();
    const oldRecord = readText(this.store.statePath(name));
    const oldFilesText = readText(this.store.filesPath(name));
    const oldFiles = oldFilesText === null ? [] : parseFiles(this.store.filesPath(name), utf8Text(oldFilesText));

    // Prepare outside the journal: nothing changes until the step is journalled.
    if (prepared && (prepared.name !== name || prepared.archive !== archive)) {
      this.discard(prepared);
      throw new JuxError(`internal error: ${prepared.prep} was prepared for ${prepared.name} from ${prepared.archive}, not ${name} from ${archive}`);
    }
    const { prep, entries } = prepared ?? (await this.prepare(tx, name, archive));
    const newFiles = entries.filter((e) => e.type !== 'd');
    const newDirs = entries.filter((e) => e.type === 'd');

    // Conflicts: another package's file, or a file nobody owns.
    const oldPaths = new Set(oldFiles.map((e) => e.path));
    const conflicts: string[] = [];
    try {
      for (const e of entries) this.checkParents(e.path);
    } catch (e) {
      fs.rmSync(prep, { recursive: true, force: true });
      removeIfEmpty(this.staging);
      throw e;
    }
    // An own old file where a directory comes, or an own old directory
    // (left empty once the old files go) where a file comes, may change type.
    const ownOldFile = (p: string): boolean => oldFiles.some((o) => o.path === p && o.type !== 'd') && !owners.claimedByOther(p, name);
    const ownOldDir = (p: string): boolean => oldFiles.some((o) => o.path === p && o.type === 'd') && !owners.dirShared(p, name);
    for (const e of newFiles) {
      const others = owners.othersOf(e.path, name);
      if (others.length) conflicts.push(`${e.path} (owned by ${others.join(' and ')})`);
      else if (isDir(this.abs(e.path))) {
        if (!ownOldDir(e.path) || newDirs.some((d) => d.path === e.path)) conflicts.push(`${e.path} (a directory where the package has a file)`);
      } else if (!oldPaths.has(e.path) && exists(this.abs(e.path)) && !isProtected(this.protection, e.path)) {
        conflicts.push(`${e.path} (owned by no package)`);
      }
    }
    // Protected files the user changed (or made) stay; the new versions of
    // some go beside them as PATH.juxnew, which must be free for that.
    const kept = planProtection(this.root, this.protection, oldFiles, newFiles, (e) => !owners.claimedByOther(e.path, name));
    const keptPaths = new Set(kept.map((k) => k.path));
    const juxnew = kept.filter((k) => k.outcome === 'juxnew').map((k) => k.path);
    for (const p of juxnew) {
      const q = p + JUXNEW;
      if (owners.othersOf(q, name).length || oldPaths.has(q) || newFiles.some((e) => e.path === q) || isDir(this.abs(q))) {
        conflicts.push(`${q} (where the new version of ${p}, changed since it was installed, would go)`);
      }
    }
    for (const d of newDirs) {
      const p = this.abs(d.path);
      if (exists(p) && !isDir(p) && !ownOldFile(d.path)) conflicts.push(`${d.path} (a file where the package has a directory)`);
    }
    if (conflicts.length) {
      fs.rmSync(prep, { recursive: true, force: true });
      removeIfEmpty(this.staging);
      throw new JuxError(
        `${name} would overwrite ${conflicts.length} file${conflicts.length === 1 ? '' : 's'} it does not own: ${conflicts.slice(0, 5).join(', ')}` +
          (conflicts.length > 5 ? ', ...' : '') + '; nothing was installed',
      );
    }

    const newPaths = new Set(newFiles.map((e) => e.path));
    const newDirPaths = new Set(newDirs.map((e) => e.path));
    const backups = [
      ...newFiles.filter((e) => !keptPaths.has(e.path) && exists(this.abs(e.path)) && !isDir(this.abs(e.path))).map((e) => e.path),
      // An older PATH.juxnew is replaced by the new one.
      ...juxnew.map((p) => p + JUXNEW).filter((p) => exists(this.abs(p))),
      // What the new version no longer has goes, unless another package lists
      // it too, or it is a protected file the user changed.
      ...oldFiles
        .filter(
          (e) =>
            e.type !== 'd' && !newPaths.has(e.path) && !keptPaths.has(e.path) && !owners.claimedByOther(e.path, name) && exists(this.abs(e.path)),
        )
        .map((e) => e.path),
      // A PATH.juxnew holding the old version of a file the new version no
      // longer has is the package's, and goes with that file.
      ...oldFiles
        .filter((e) => e.type !== 'd' && !newPaths.has(e.path) && this.ownJuxnew(e, owners))
        .map((e) => e.path + JUXNEW),
    ];
    const same = new Set(kept.filter((k) => k.outcome === 'same').map((k) => k.path));
    const aside = new Set(juxnew);
    const placed = newFiles.filter((e) => !same.has(e.path));
    const createDirs = newDirs.filter((d) => !isDir(this.abs(d.path))).map((d) => ({ path: d.path, mode: d.mode }));
    const dropDirs = oldFiles
      .filter((e) => e.type === 'd' && !newDirPaths.has(e.path) && !owners.dirShared(e.path, name) && exists(this.abs(e.path)))
      .map((e) => e.path)
      .sort((a, b) => b.length - a.length);
    const meta: StepMeta = {
      op: 'install',
      name,
      oldState: oldRecord,
      oldFiles: oldFilesText,
      newFiles: placed,
      ...(juxnew.length ? { juxnew } : {}),
      createDirs,
      backups,
      dropDirs,
    };
    // The step line, meta.json and the replaced record are written, then
    // synced together (three fsyncs in flight at once, off the main thread):
    // all three are on disk before the root or the records change.
    const step = this.journal.step(
      tx,
      {
        op: 'install',
        name,
        version: record.version,
        archive: path.basename(archive),
        prev: oldRecord === null ? null : { version: readVersion(oldRecord) ?? '', archive: prevArchive ?? '' },
      },
      { sync: false },
    );
    const dir = this.stepDir(tx, step);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(prep, dir);
      const intent: DurableFile[] = [{ path: path.join(dir, 'meta.json'), data: JSON.stringify(meta) }];
      const kept = this.oldRecordFile(tx, step, oldRecord);
      if (kept) intent.push(kept);
      await writeDurably(intent, [this.journal.sync()]);

      // Move aside, drop the old directories left empty, then move in.
      for (const p of backups) moveInto(this.abs(p), path.join(dir, 'backup', p));
      for (const d of dropDirs) rmdirIfEmpty(this.abs(d));
      for (const d of createDirs) fs.mkdirSync(this.abs(d.path), { mode: d.mode });
      for (const e of placed) {
        const target = this.abs(aside.has(e.path) ? e.path + JUXNEW : e.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.renameSync(path.join(dir, 'new', 'root', e.path), target);
      }
      // NAME.files and NAME.state, each atomic and synced (the two fsyncs at
      // once); `done` follows, and reaches the disk only after them.
      fs.mkdirSync(this.store.dir, { recursive: true });
      await writeDurably([
        { path: this.store.filesPath(name), data: formatFiles(name, record.version, entries) },
        { path: this.store.statePath(name), data: formatInstalled(record) },
      ]);
    } catch (e) {
      this.abandon(dir, prep);
      throw e;
    }
    this.journal.done(tx, step);
    owners.set(name, entries);
    return { protected: kept };
  }

  /** Remove an installed package; files changed since installation are kept and reported. */
  remove(tx: Transaction, name: string, archive: string): RemoveReport {
    const owners = this.owners();
    const oldRecord = readText(this.store.statePath(name));
    if (oldRecord === null) throw new JuxError(`${name} is not installed`);
    const oldFilesText = readText(this.store.filesPath(name));
    const oldFiles = oldFilesText === null ? [] : parseFiles(this.store.filesPath(name), utf8Text(oldFilesText));
    const keptChanged: string[] = [];
    const backups: string[] = [];
    for (const e of oldFiles) {
      if (e.type === 'd') continue;
      const p = this.abs(e.path);
      if (!exists(p)) continue;
      if (owners.claimedByOther(e.path, name)) continue; // another package's too
      if (changed(p, e)) keptChanged.push(e.path);
      else backups.push(e.path);
    }
    // A PATH.juxnew an install left beside a user's config file holds the
    // package's version of PATH: it goes with the package (unless changed).
    for (const e of oldFiles) if (e.type !== 'd' && this.ownJuxnew(e, owners)) backups.push(e.path + JUXNEW);
    const dropDirs = oldFiles
      .filter((e) => e.type === 'd' && !owners.dirShared(e.path, name) && exists(this.abs(e.path)))
      .map((e) => e.path)
      .sort((a, b) => b.length - a.length);
    const meta: StepMeta = {
      op: 'remove',
      name,
      oldState: oldRecord,
      oldFiles: oldFilesText,
      newFiles: [],
      createDirs: [],
      backups,
      dropDirs,
    };
    const step = this.journal.step(tx, { op: 'remove', name, version: readVersion(oldRecord) ?? '', archive });
    const dir = this.stepDir(tx, step);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      syncWrite(path.join(dir, 'meta.json'), JSON.stringify(meta));
      this.keepOldRecord(tx, step, oldRecord);
      for (const p of backups) moveInto(this.abs(p), path.join(dir, 'backup', p));
      for (const d of dropDirs) rmdirIfEmpty(this.abs(d));
      fs.rmSync(this.store.filesPath(name), { force: true });
      fs.rmSync(this.store.statePath(name), { force: true });
      fsyncDir(this.store.dir);
    } catch (e) {
      this.abandon(dir, null);
      throw e;
    }
    this.journal.done(tx, step);
    owners.set(name, null);
    return { keptChanged };
  }

  /**
   * Is there a PATH.juxnew beside the package's file `e` that an install
   * wrote (no package lists it, and it holds the version `e` records)?
   */
  private ownJuxnew(e: FileEntry, owners: Ownership): boolean {
    const q = e.path + JUXNEW;
    return exists(this.abs(q)) && owners.ownerOf(q) === undefined && !isDir(this.abs(q)) && !changed(this.abs(q), e);
  }

  /** A step failed half-way (an I/O error, not a crash): put everything back now. */
  private abandon(dir: string, prep: string | null): void {
    if (prep !== null) fs.rmSync(prep, { recursive: true, force: true });
    if (exists(path.join(dir, 'meta.json'))) this.undoStep(dir);
    else fs.rmSync(dir, { recursive: true, force: true });
    this.ownership = null;
  }

  /**
   * The record a step replaces, kept in STATE/history/tx-ID-N.state so a
   * rollback can put back exactly the build that was there.
   */
  private keepOldRecord(tx: Transaction, step: JournalStep, oldRecord: string | null): void {
    const f = this.oldRecordFile(tx, step, oldRecord);
    if (f) syncWrite(f.path, f.data);
  }

  /** The file keepOldRecord writes (its folder made), or null when there is no old record. */
  private oldRecordFile(tx: Transaction, step: JournalStep, oldRecord: string | null): DurableFile | null {
    if (oldRecord === null) return null;
    const dir = historyDir(this.store);
    fs.mkdirSync(dir, { recursive: true });
    return { path: path.join(dir, `tx-${tx.id}-${step.n}.state`), data: oldRecord };
  }

  /** Finish a transaction: drop its step directories (backups). */
  commit(tx: Transaction): void {
    this.journal.commit(tx);
    for (const s of tx.steps) removeTree(this.stepDir(tx, s));
    removeIfEmpty(this.staging);
  }

  /**
   * Complete or undo an interrupted transaction, if there is one. Returns a
   * description of what was done, or null when there was nothing to do.
   */
  recover(): string | null {
    const open = this.journal.read().filter((t) => !t.committed);
    if (!open.length) {
      this.sweepStaging();
      this.sweepTemps();
      return null;
    }
    const notes: string[] = [];
    for (const tx of open) {
      const undone: string[] = [];
      const kept: string[] = [];
      for (const step of [...tx.steps].reverse()) {
        const dir = this.stepDir(tx, step);
        if (step.done) {
          kept.push(`${step.action.op} ${step.action.name}`);
          continue;
        }
        if (this.undoStep(dir)) undone.push(`${step.action.op} ${step.action.name}`);
      }
      const note =
        `transaction ${tx.id} (${tx.command}) was interrupted: ` +
        (undone.length ? `undid ${undone.join(', ')}` : 'nothing to undo') +
        (kept.length ? `; kept ${kept.reverse().join(', ')}` : '');
      this.journal.recovered(tx, note);
      this.commit(tx);
      notes.push(note);
    }
    this.sweepStaging();
    this.sweepTemps();
    this.ownership = null;
    return notes.join('\n');
  }

  /** Half-written records (write-file-atomic's NAME.state.NNNN) left by a crash go. */
  private sweepTemps(): void {
    for (const dir of [this.store.dir, historyDir(this.store)]) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch {
        continue;
      }
      for (const n of names) if (/\.(state|files|failed)\.\d+$/.test(n)) fs.rmSync(path.join(dir, n), { force: true });
    }
  }

  /** Undo one unfinished step from its meta.json. Idempotent. */
  private undoStep(dir: string): boolean {
    const metaText = readText(path.join(dir, 'meta.json'));
    if (metaText === null) {
      fs.rmSync(dir, { recursive: true, force: true });
      return false; // nothing had been changed yet
    }
    const meta = JSON.parse(metaText) as StepMeta;
    const backedUp = new Set(meta.backups);
    const aside = new Set(meta.juxnew ?? []);
    const restore = (p: string): void => {
      const backup = path.join(dir, 'backup', p);
      if (!exists(backup)) return; // never moved aside, or already back
      fs.mkdirSync(path.dirname(this.abs(p)), { recursive: true });
      fs.renameSync(backup, this.abs(p));
    };
    // New files that are in place go; what they replaced comes back. A new
    // version put beside a user's config file is PATH.juxnew: only that goes.
    for (const e of meta.newFiles) {
      const rel = aside.has(e.path) ? e.path + JUXNEW : e.path;
      const target = this.abs(rel);
      if (backedUp.has(rel)) restore(rel);
      else if (exists(target) && !isDir(target)) fs.rmSync(target, { force: true }); // it was not there before the step
    }
    // Directories the step made go; those it dropped come back; then the
    // rest of what was moved aside.
    for (const d of [...meta.createDirs].reverse()) rmdirIfEmpty(this.abs(d.path));
    for (const d of [...meta.dropDirs].reverse()) {
      if (!exists(this.abs(d))) fs.mkdirSync(this.abs(d), { recursive: true });
    }
    for (const p of meta.backups) restore(p);
    if (meta.oldState === null) fs.rmSync(this.store.statePath(meta.name), { force: true });
    else syncWrite(this.store.statePath(meta.name), meta.oldState);
    if (meta.oldFiles === null) fs.rmSync(this.store.filesPath(meta.name), { force: true });
    else syncWrite(this.store.filesPath(meta.name), meta.oldFiles);
    fsyncDir(this.store.dir);
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  }

  /** Staging left by committed transactions (a crash after commit) goes. */
  private sweepStaging(): void {
    if (!exists(this.staging)) return;
    const open = new Set(this.journal.read().filter((t) => !t.committed).map((t) => t.id));
    for (const d of fs.readdirSync(this.staging)) {
      const m = /^tx-(\d+)-\d+$/.exec(d);
      if (!m || !open.has(Number(m[1]))) fs.rmSync(path.join(this.staging, d), { recursive: true, force: true });
    }
    removeIfEmpty(this.staging);
  }
}

/**
 * The file list an archive carries (jux/NAME.files), checked against what
 * the archive really holds under root/: same paths, types, sizes, hashes
 * and link targets, every path plain (no "..", ".", or empty components).
 * An archive without a list is listed from its contents.
 */
function checkedFileList(archive: string, name: string, dir: string): FileEntry[] {
  const where = path.basename(archive);
  const actual = scanTree(path.join(dir, 'root'), `package archive ${where}`);
  const listText = readText(path.join(dir, 'jux', `${name}.files`));
  if (listText === null) return actual;
  const listed = parseFiles(`${where}:jux/${name}.files`, utf8Text(listText));
  for (const e of listed) {
    const parts = e.path.split('/');
    if (!e.path.startsWith('/') || parts.slice(1).some((c) => c === '' || c === '.' || c === '..') || e.path.includes('\0')) {
      throw new JuxError(`unsafe package archive ${where}: its file list names ${JSON.stringify(e.path)}, which is not a plain path in the root; nothing was installed`);
    }
  }
  const key = (e: FileEntry): string => `${e.type} ${e.type === 'd' ? '' : `${e.size} ${e.hash}`} ${e.path}`;
  const have = new Set(actual.map(key));
  const want = new Set(listed.map(key));
  const missing = listed.filter((e) => !have.has(key(e)));
  const extra = actual.filter((e) => !want.has(key(e)));
  if (missing.length || extra.length) {
    const first = missing[0] ? `${missing[0].path} is listed but ${actual.some((a) => a.path === missing[0]!.path) ? 'differs' : 'missing'}` : `${extra[0]!.path} is not listed`;
    throw new JuxError(`package archive ${where} does not match its file list (${first}); nothing was installed`);
  }
  return listed;
}

export function historyDir(store: StateStore): string {
  return path.join(store.dir, 'history');
}

/** The record that step N of transaction ID replaced, if kept. */
export function replacedRecord(store: StateStore, txId: number, n: number): string | null {
  return readText(path.join(historyDir(store), `tx-${txId}-${n}.state`));
}

/**
 * File lists are UTF-8 text; readText keeps bytes as latin1 (so records
 * are written back byte for byte): decode a list's bytes before parsing it,
 * or a path such as /usr/share/café.txt would not match the tree.
 */
function utf8Text(latin1: string): string {
  return Buffer.from(latin1, 'latin1').toString('utf8');
}

export function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'latin1');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function readVersion(stateText: string): string | null {
  const m = /^Installed\s+\S+\s+:\s+(\S+)\s+;/m.exec(stateText);
  return m ? m[1]! : null;
}

function isDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function moveInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.renameSync(from, to);
}

function rmdirIfEmpty(p: string): void {
  try {
    fs.rmdirSync(p);
  } catch {
    // not empty, or gone
  }
}

function removeIfEmpty(p: string): void {
  rmdirIfEmpty(p);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
  } catch {
    // best effort
  }
}

export { changed, Journal };
