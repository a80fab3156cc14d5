/**
 * `jux fetch [TARGET...] [--all] [--offline] [--strict] [-j N]`: fetch the
 * sources a build will need into the source cache ahead of building (the
 * packages of the plan by default; --all: every source of the tree), in
 * parallel. --offline only checks the cache and says what is missing.
 */
import { fetchAll, type FetchEvent, type SourceRequest } from '../../fetch/index.js';
import { paint } from '../../render/style.js';
import { loadContext } from '../context.js';
import { fetchOptions, sourceRequests } from '../fetching.js';
import { overridesFrom, say, warn, flushWarn } from '../options.js';
import { checkPlan, makePlan, requestFrom } from '../planning.js';
import { FailedAddresses, fetchNotice } from '../../render/fetchEvents.js';

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(0)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;
}

export default async function fetch(o: Record<string, unknown>, targets: string[]): Promise<number> {
  const ctx = await loadContext(overridesFrom(o));
  let spells;
  if (o.all) spells = [...ctx.graph.spells.values()];
  else {
    const plan = makePlan(ctx, requestFrom(targets, o));
    checkPlan(plan);
    spells = plan.entries.filter((e) => !e.fromCache).map((e) => ctx.graph.spells.get(e.name)!);
  }
  const reqs: SourceRequest[] = spells.flatMap((s) => sourceRequests(s));
  if (!reqs.length) {
    say('No sources to fetch.');
    return 0;
  }
  const live = Boolean(process.stderr.isTTY) && !o.plain;
  const progress = new Map<string, string>();
  const failed = new FailedAddresses();
  const draw = (): void => {
    if (!live) return;
    const text = [...progress.entries()].map(([f, p]) => `${f} ${p}`).join(' · ');
    process.stderr.write('\r\x1b[2K' + paint.dim(text.slice(0, (process.stderr.columns || 100) - 1)));
  };
  const onEvent = (e: FetchEvent): void => {
    switch (e.type) {
      case 'progress':
        progress.set(e.file, e.total ? `${Math.floor((e.received / e.total) * 100)}% of ${size(e.total)}` : size(e.received));
        draw();
        break;
      case 'noChecksum':
      case 'checksumMismatch':
        warn(paint.yellow(fetchNotice(e)!));
        break;
      case 'addressFailed':
        failed.note(e);
        break;
      case 'waiting':
        warn(paint.dim(fetchNotice(e)!));
        break;
      case 'retry':
        warn(paint.dim(`retrying ${e.address} in ${e.delayMs} ms: ${e.reason}`));
        break;
      case 'done':
        progress.delete(e.file);
        if (live) process.stderr.write('\r\x1b[2K');
        say(`${e.cached ? 'in the cache' : 'fetched'}: ${e.file}${e.cached ? '' : ` from ${e.from}`}`);
        for (const w of failed.take(e.file)) warn(paint.yellow(w));
        draw();
        break;
      default:
        break;
    }
    flushWarn();
  };
  const { results, errors } = await fetchAll(reqs, {
    ...fetchOptions(ctx.config, { offline: Boolean(o.offline), strict: Boolean(o.strict), onEvent }),
    jobs: (o.jobs as number | undefined) ?? ctx.config.jobs,
  });
  if (live) process.stderr.write('\r\x1b[2K');
  for (const e of errors) {
    warn(paint.red(`error: ${e.message}`));
    for (const d of e.details) warn(`  ${d}`);
  }
  say(`${results.size} of ${reqs.length} source${reqs.length === 1 ? '' : 's'} ready${errors.length ? `; ${errors.length} missing` : ''}`);
  if (!errors.length) return 0;
  return errors.some((e) => e.status === 2) ? 2 : 1;
}
