/**
 * Chevrotain, loaded from the single-file build the package ships.
 *
 * The package's entry point (lib/src/api.js) pulls in some 600 lodash-es
 * modules, which costs about 0.3 s at every start of jux; lib/chevrotain.mjs
 * is the same library bundled into one file and loads in a few milliseconds.
 * If that file is ever missing, the regular entry point is used.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ChevrotainApi from 'chevrotain';

async function load(): Promise<typeof ChevrotainApi> {
  try {
    const entry = createRequire(import.meta.url).resolve('chevrotain');
    const bundled = path.join(path.dirname(entry), '..', 'chevrotain.mjs');
    return (await import(pathToFileURL(bundled).href)) as typeof ChevrotainApi;
  } catch {
    return await import('chevrotain');
  }
}

const chevrotain = await load();

export const { createToken, createSyntaxDiagramsCode, EmbeddedActionsParser, EOF, Lexer } = chevrotain;
export type { IToken, ISerializedGast, TokenType } from 'chevrotain';
export type Lexer = ChevrotainApi.Lexer;
