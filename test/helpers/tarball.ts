/**
 * Writing tar.gz archives byte by byte, so tests can make the archives no
 * well-behaved tool would: entries with "..", absolute paths, symlinks that
 * lead out, devices.
 */
import zlib from 'node:zlib';

export interface TarEntry {
  readonly name: string;
  /** '0' file, '2' symlink, '1' hard link, '3' char device, '4' block device, '5' directory, '6' FIFO. */
  readonly type?: '0' | '1' | '2' | '3' | '4' | '5' | '6';
  readonly mode?: number;
  readonly data?: string | Buffer;
  readonly link?: string;
}

function octal(n: number, len: number): string {
  return n.toString(8).padStart(len - 1, '0') + '\0';
}

function header(e: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(e.name, 0, 100, 'latin1');
  h.write(octal(e.mode ?? (e.type === '5' ? 0o755 : 0o644), 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  h.write('        ', 148);
  h.write(e.type ?? '0', 156);
  h.write(e.link ?? '', 157, 100, 'latin1');
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(octal(1, 8), 329);
  h.write(octal(3, 8), 337);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

export function tarGz(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    parts.push(header(e, data.length));
    if (data.length) {
      parts.push(data);
      parts.push(Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  parts.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(parts));
}
