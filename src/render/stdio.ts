/**
 * Output the way a C program's stdio does it: stdout is buffered (a block
 * of 4096 bytes when it is a file or pipe, a line when it is a terminal)
 * and stderr is not. Jam's output order in pipes depends on this, so
 * `jux jam` reproduces it. Text is a byte string (latin1).
 */
import fs from 'node:fs';
import tty from 'node:tty';

const BLOCK = 4096;

/** Where rendered text goes. */
export interface TextSink {
  out(text: string): void;
  err(text: string): void;
  raw(data: Buffer): void;
  flush(): void;
}

/** Collects output in memory (tests, --json wrappers). */
export class MemorySink implements TextSink {
  text = '';
  out(text: string): void {
    this.text += text;
  }
  err(text: string): void {
    this.text += text;
  }
  raw(data: Buffer): void {
    this.text += data.toString('latin1');
  }
  flush(): void {}
}

export class StdioBuffer implements TextSink {
  private buf = '';
  private readonly lineBuffered: boolean;

  constructor(
    private readonly outFd = 1,
    private readonly errFd = 2,
  ) {
    this.lineBuffered = isTTY(outFd);
  }

  out(text: string): void {
    this.buf += text;
    if (this.lineBuffered) {
      const nl = this.buf.lastIndexOf('\n');
      if (nl >= 0) {
        this.write(this.outFd, this.buf.slice(0, nl + 1));
        this.buf = this.buf.slice(nl + 1);
      }
    } else if (this.buf.length >= BLOCK) {
      const n = this.buf.length - (this.buf.length % BLOCK);
      this.write(this.outFd, this.buf.slice(0, n));
      this.buf = this.buf.slice(n);
    }
  }

  err(text: string): void {
    this.write(this.errFd, text);
  }

  /** Bytes written straight to stdout (a child's captured output): flushes first. */
  raw(data: Buffer): void {
    this.flush();
    writeAll(this.outFd, data);
  }

  flush(): void {
    if (this.buf.length) {
      this.write(this.outFd, this.buf);
      this.buf = '';
    }
  }

  private write(fd: number, text: string): void {
    writeAll(fd, Buffer.from(text, 'latin1'));
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += fs.writeSync(fd, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') return;
      throw e;
    }
  }
}

function isTTY(fd: number): boolean {
  return tty.isatty(fd);
}
