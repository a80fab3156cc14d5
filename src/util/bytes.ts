/**
 * The engine works on byte strings (one char per byte, as 'latin1' reads
 * files), like jam's C strings. These convert at the edges.
 */

/** Byte-string form of a JS (UTF-16) string. */
export function toBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

/** JS string of a byte string holding UTF-8 text. */
export function fromBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'latin1').toString('utf8');
}
