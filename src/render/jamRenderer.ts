/**
 * Renders engine events exactly as jam 2.6.1 prints them.
 */
import type { JamEvent, JamReporter } from '../events.js';
import { StdioBuffer, type TextSink } from './stdio.js';

function spaces(n: number): string {
  return ' '.repeat(n > 16 ? 16 : n);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** C's ctime() in local time, with its newline. */
export function ctime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ` +
    `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}\n`
  );
}

export class JamRenderer implements JamReporter {
  constructor(readonly io: TextSink = new StdioBuffer()) {}

  emit(e: JamEvent): void {
    const io = this.io;
    switch (e.type) {
      case 'echo':
        io.out(e.words.map((w) => w + ' ').join('') + '\n');
        break;
      case 'unknownRule':
        io.out(`warning: unknown rule ${e.name}\n`);
        break;
      case 'fileError':
        // perror() prints just the reason for an empty name.
        io.err(e.path === '' ? `${e.reason}\n` : `${e.path}: ${e.reason}\n`);
        break;
      case 'syntaxError':
        io.out(e.jamText + '\n');
        break;
      case 'regexpError':
        io.out(`re error ${e.message}\n`);
        break;
      case 'limitExceeded':
        io.out(`jux: ${e.at ? `${e.at.file}: line ${e.at.line}: ` : ''}${e.message}\n`);
        break;
      case 'diagnostic':
        io.out(`${e.at ? `${e.at.file}:${e.at.line}:${e.at.col}: ` : ''}${e.severity}: ${e.message}\n`);
        break;
      case 'dontKnow':
        io.out(`don't know how to make ${e.target}\n`);
        break;
      case 'dependsOnItself':
        io.out(`warning: ${e.target} depends on itself\n`);
        break;
      case 'patience':
        io.out('...patience...\n');
        break;
      case 'trace':
        switch (e.kind) {
          case 'make':
            io.out(`make\t--\t${spaces(e.depth)}${e.target}\n`);
            break;
          case 'bind':
            io.out(`bind\t--\t${spaces(e.depth)}${e.target}: ${e.detail}\n`);
            break;
          case 'time':
            io.out(
              `time\t--\t${spaces(e.depth)}${e.target}: ` +
                (typeof e.detail === 'number' ? ctime(e.detail) : `${e.detail}\n`),
            );
            break;
          case 'made':
            io.out(`made${e.flag ?? ''}\t${e.detail}\t${spaces(e.depth)}${e.target}\n`);
            break;
        }
        break;
      case 'dependency':
        io.out(`${e.internal ? 'Includes' : 'Depends'} "${e.target}" : "${e.source}" ;\n`);
        break;
      case 'cause':
        io.out(`${e.fate} ${e.target}\n`);
        break;
      case 'makeCounts':
        if (e.found) io.out(`...found ${e.found} target(s)...\n`);
        if (e.temp) io.out(`...using ${e.temp} temp target(s)...\n`);
        if (e.updating) io.out(`...updating ${e.updating} target(s)...\n`);
        if (e.cantFind) io.out(`...can't find ${e.cantFind} target(s)...\n`);
        if (e.cantMake) io.out(`...can't make ${e.cantMake} target(s)...\n`);
        break;
      case 'onNth':
        io.out(`...on ${e.n}th target...\n`);
        break;
      case 'usingTemp':
        io.out(`...using ${e.target}...\n`);
        break;
      case 'skipped':
        io.out(`...skipped ${e.target} for lack of ${e.lackOf}...\n`);
        break;
      case 'independentTarget':
        io.out(`warning: using independent target ${e.target}\n`);
        break;
      case 'actionStart':
        if (e.announce) io.out(`${e.rule} ${e.targets.map((t) => t + ' ').join('')}\n`);
        if (e.showCommand) io.out(`${e.command}\n`);
        break;
      case 'actionOutput':
        io.raw(e.output);
        break;
      case 'actionFailed':
        if (e.printCommand) io.out(`${e.command}\n`);
        io.out(`...failed ${e.rule} ${e.targets.map((t) => t + ' ').join('')}...\n`);
        break;
      case 'removing':
        io.out(`...removing ${e.target}\n`);
        break;
      case 'actionsTooLong':
        io.out(`${e.rule} actions too long (max ${e.maxline})!\n`);
        break;
      case 'cannotWrite':
        io.out(`Failed to write to '${e.path}'\n`);
        break;
      case 'interrupted':
        io.out('...interrupted\n');
        break;
      case 'makeSummary':
        if (e.failed) io.out(`...failed updating ${e.failed} target(s)...\n`);
        if (e.skipped) io.out(`...skipped ${e.skipped} target(s)...\n`);
        if (e.made) io.out(`...updated ${e.made} target(s)...\n`);
        break;
      case 'flush':
        io.flush();
        break;
    }
  }
}
