/**
 * The jux command line: `jux jam ...` is plain Jam; everything else is the
 * package manager.
 */
import { jamCommand } from './jamCommand.js';

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  let status: number;
  if (command === 'jam') status = await jamCommand(rest);
  else {
    process.stderr.write(`jux: unknown command ${command ?? ''}\n`);
    status = 2;
  }
  process.exit(status);
}
