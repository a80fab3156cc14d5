/**
 * The jux build view. On a terminal: finished packages scroll as lines
 * above one live status line (done/total, what is running and in which
 * phase, elapsed time), redrawn in place so it never garbles. In a pipe,
 * with NO_COLOR or --plain: plain lines only. Both end with the summary.
 */
import path from 'node:path';
import type { BuildEvent, BuildReporter, RunSummary } from '../scheduler/buildEvents.js';
import { keptConfigText } from './keptConfig.js';
import { paint } from './style.js';

export interface ViewOptions {
  readonly live: boolean;
  readonly verbose: boolean;
  /** Paths in messages are shown relative to this directory. */
  readonly cwd: string;
  readonly write?: (s: string) => void;
}

function secs(s: number): string {
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function summaryText(s: RunSummary, rel: (p: string) => string): string {
  const lines: string[] = [''];
  const parts = [`${s.built.length} built`];
  if (s.fromCache.length) parts.push(`${s.fromCache.length} installed from the cache`);
  parts.push(`${s.upToDate} up to date`);
  if (s.failed.length) parts.push(paint.red(`${s.failed.length} failed`));
  if (s.skipped.length) parts.push(paint.yellow(`${s.skipped.length} skipped`));
  lines.push(`${paint.bold('Summary:')} ${parts.join(', ')} (${secs(s.seconds)})${s.interrupted ? paint.red(' — interrupted') : ''}`);
  if (s.failed.length) {
    lines.push('Failed:');
    for (const f of s.failed) {
      lines.push(`  ${f.name} ${f.version}: ${f.phase} phase, ${f.status}${f.log ? ` — log: ${rel(f.log)}` : ` — ${f.message}`}`);
    }
  }
  if (s.skipped.length) {
    lines.push('Skipped:');
    for (const k of s.skipped) lines.push(`  ${k.name} (needs ${k.missing})`);
  }
  if (s.keptConfigs.length) {
    lines.push('Config files kept (merge the .juxnew files, or delete them):');
    for (const k of s.keptConfigs) lines.push(`  ${keptConfigText(k.name, k)}`);
  }
  const damaging = s.damaging.filter((d) => d.blocked > 0);
  if (damaging.length) {
    lines.push('Most damaging failures:');
    for (const d of damaging) lines.push(`  ${d.name} blocked ${d.blocked} package${d.blocked === 1 ? '' : 's'}`);
  }
  return lines.join('\n');
}

export class BuildView implements BuildReporter {
  private total = 0;
  private done = 0;
  private readonly running = new Map<string, string>();
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private statusShown = false;
  private readonly write: (s: string) => void;

  constructor(private readonly opts: ViewOptions) {
    this.write = opts.write ?? ((s) => process.stdout.write(s));
  }

  private rel = (p: string): string => {
    const r = path.relative(this.opts.cwd, p);
    return r.startsWith('..') ? p : r;
  };

  /** A line that stays (above the status line on a terminal). */
  private line(s: string): void {
    if (this.opts.live && this.statusShown) this.write('\r\x1b[2K');
    this.write(s + '\n');
    if (this.opts.live) this.drawStatus();
  }

  private drawStatus(): void {
    if (!this.opts.live) return;
    const elapsed = Math.round((Date.now() - this.started) / 1000);
    const run = [...this.running.entries()].map(([n, p]) => `${n} (${p})`);
    const cols = process.stdout.columns || 100;
    let text = `[${this.done}/${this.total}] ${run.length ? `building ${run.join(', ')}` : 'waiting'} · ${elapsed} s`;
    if (text.length > cols - 1) text = text.slice(0, cols - 2) + '…';
    this.write('\r\x1b[2K' + paint.dim(text));
    this.statusShown = true;
  }

  emit(e: BuildEvent): void {
    switch (e.type) {
      case 'start':
        this.total = e.total;
        this.line(
          `Building ${e.total} package${e.total === 1 ? '' : 's'}` +
            (e.fromCache ? ` (${e.fromCache} from the cache)` : '') +
            `, ${e.upToDate} up to date, ${e.jobs} at a time`,
        );
        if (this.opts.live) this.timer = setInterval(() => this.drawStatus(), 1000);
        break;
      case 'begin':
        this.running.set(e.name, e.fromCache ? 'from cache' : 'starting');
        if (!this.opts.live) this.line(`${e.fromCache ? 'installing' : 'building'} ${e.name} ${e.version}${e.fromCache ? ' from the cache' : ''}`);
        else this.drawStatus();
        break;
      case 'phase':
        this.running.set(e.name, e.phase);
        if (this.opts.verbose && !this.opts.live) this.line(`${e.name}: ${e.phase}`);
        else this.drawStatus();
        break;
      case 'output':
        if (this.opts.verbose) {
          for (const l of e.chunk.toString('utf8').split('\n')) if (l !== '') this.line(paint.dim(`${e.name}| `) + l);
        }
        break;
      case 'built':
        break;
      case 'installed':
        this.running.delete(e.name);
        this.done++;
        this.line(`${paint.green('installed')} ${e.name} ${e.version}${e.fromCache ? ' (from the cache)' : ''} [${this.done}/${this.total}]`);
        break;
      case 'failed': {
        this.running.delete(e.name);
        this.done++;
        const lines = [paint.red(`FAILED ${e.name} ${e.version}: ${e.phase} phase, ${e.status}`)];
        if (e.log === null) lines.push(`  ${e.message}`);
        if (e.tail.length) {
          lines.push(`  last ${e.tail.length} line${e.tail.length === 1 ? '' : 's'} of the log:`);
          for (const t of e.tail) lines.push(`  | ${t}`);
        }
        if (e.log) lines.push(`  log: ${this.rel(e.log)}`);
        this.line(lines.join('\n'));
        break;
      }
      case 'skipped':
        this.running.delete(e.name);
        this.done++;
        this.line(paint.yellow(`skipped ${e.name} (needs ${e.missing})`));
        break;
      case 'warning':
        this.line(paint.yellow(`warning: ${e.message}`));
        break;
      case 'kept-config':
        this.line(paint.yellow(`warning: ${keptConfigText(e.name, e)}`));
        break;
      case 'finish':
        if (this.timer) clearInterval(this.timer);
        if (this.opts.live && this.statusShown) this.write('\r\x1b[2K');
        this.statusShown = false;
        this.write(summaryText(e.summary, this.rel) + '\n');
        break;
    }
  }
}
