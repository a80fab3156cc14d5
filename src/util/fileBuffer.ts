/**
 * Reading many small files whole into one reused buffer: open, read, close
 * (no fstat, no buffer per file). What is read is valid until the next
 * read; errors are those of fs.openSync / fs.readSync.
 */
import fs from 'node:fs';

export class FileBuffer {
  private bytes: Buffer;

  constructor(size = 1 << 16) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /**
   * The content of `file`: the first `length` bytes of `bytes`. With its
   * size known (from a stat), reading stops there, as fs.readFileSync does.
   */
  read(file: string, size = -1): { readonly bytes: Buffer; readonly length: number } {
    const fd = fs.openSync(file, 'r');
    try {
      let length = 0;
      while (size < 0 || length < size) {
        if (length === this.bytes.length) {
          const bigger = Buffer.allocUnsafe(this.bytes.length * 2);
          this.bytes.copy(bigger, 0, 0, length);
          this.bytes = bigger;
        }
        const room = this.bytes.length - length;
        const n = fs.readSync(fd, this.bytes, length, size < 0 ? room : Math.min(room, size - length), null);
        if (n === 0) break;
        length += n;
      }
      return { bytes: this.bytes, length };
    } finally {
      fs.closeSync(fd);
    }
  }
}
