import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBuffer } from '../../src/util/fileBuffer.js';

describe('FileBuffer', () => {
  it('reads files whole, growing past its size, and reports errors as fs does', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jux-filebuffer-'));
    const small = path.join(dir, 'small');
    const big = path.join(dir, 'big');
    fs.writeFileSync(small, 'abc');
    const content = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    fs.writeFileSync(big, content);
    const r = new FileBuffer(16);
    const a = r.read(small);
    expect(a.bytes.toString('latin1', 0, a.length)).toBe('abc');
    const b = r.read(big);
    expect(b.length).toBe(1000);
    expect(Buffer.compare(b.bytes.subarray(0, b.length), content)).toBe(0);
    expect(r.read(big, 100).length).toBe(100);
    expect(r.read(big, 5000).length).toBe(1000);
    const c = r.read(small);
    expect(c.bytes.toString('latin1', 0, c.length)).toBe('abc');
    expect(() => r.read(path.join(dir, 'missing'))).toThrow(/ENOENT/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
