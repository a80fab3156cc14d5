import path from 'node:path';
import { fileURLToPath } from 'node:url';

const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository (also when this runs compiled, from dist/test/helpers). */
export const REPO = path.basename(up) === 'dist' ? path.dirname(up) : up;
export const SHARED = path.resolve(REPO, '..', 'shared');
export const CORPUS = path.join(SHARED, 'conformance', 'jam');
export const JUX_BIN = path.join(REPO, 'bin', 'jux.js');
