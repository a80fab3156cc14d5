/**
 * Jam's keyword table (jam 2.6.1's jamgramtab.h) as plain words, for the
 * state layer, which writes and reads records without loading the language
 * front end. grammar/tokens.ts holds the same table as token types (a test
 * keeps the two equal).
 */
export const JAM_KEYWORDS: ReadonlySet<string> = new Set([
  '!', '!=', '&', '&&', '(', ')', '+=', ':', ';', '<', '<=', '=', '>', '>=', '?=', '[', ']', '{', '}', '|', '||',
  'actions', 'bind', 'break', 'case', 'continue', 'default', 'else', 'existing', 'for', 'if', 'ignore', 'in',
  'include', 'local', 'maxline', 'on', 'piecemeal', 'quietly', 'return', 'rule', 'switch', 'together', 'updated',
  'while',
]);
