/**
 * Token types of the Jam language.
 *
 * Jam splits its input at whitespace only: every token is a whitespace-
 * separated word, and a word is a keyword or punctuation only when the whole
 * word (unquoted, unescaped) equals one. The scanner (lexer.ts) therefore
 * produces just `Word` (plus action bodies), and a word equal to a keyword
 * gets that keyword's type. Whether a keyword *acts* as one depends on where
 * the parser is (Jam's scanner modes) — see parser.ts.
 */
import { createToken, Lexer, type TokenType } from './chevrotain.js';

/** Any word that may appear as a list element where Jam scans in "punctuation only" mode. */
export const ArgTok = createToken({ name: 'ArgTok', pattern: Lexer.NA });
/** Alphabetic keywords (if, rule, on, ...). */
export const AlphaKeyword = createToken({ name: 'AlphaKeyword', pattern: Lexer.NA });
/** Punctuation keywords (; : = { } [ ] ...). */
export const PunctKeyword = createToken({ name: 'PunctKeyword', pattern: Lexer.NA });

/**
 * A word: a run of non-blank characters in which double quotes open and
 * close (keeping blanks) and a backslash escapes the next character. The
 * scanner (lexer.ts) makes them; an unterminated quote runs to the end of
 * the input (reported by the parser).
 */
export const Word = createToken({ name: 'Word', pattern: Lexer.NA, line_breaks: true, categories: [ArgTok] });

function keyword(name: string, word: string, alpha: boolean): TokenType {
  const t = createToken({
    name,
    pattern: Lexer.NA,
    label: `'${word}'`,
    categories: alpha ? [AlphaKeyword, ArgTok] : [PunctKeyword],
  });
  KEYWORDS.set(word, t);
  return t;
}

/** Keyword text → token type, exactly jam 2.6.1's table (jamgramtab.h). */
export const KEYWORDS = new Map<string, TokenType>();

export const Bang = keyword('Bang', '!', false);
export const BangEquals = keyword('BangEquals', '!=', false);
export const Amper = keyword('Amper', '&', false);
export const AmperAmper = keyword('AmperAmper', '&&', false);
export const LParen = keyword('LParen', '(', false);
export const RParen = keyword('RParen', ')', false);
export const PlusEquals = keyword('PlusEquals', '+=', false);
export const Colon = keyword('Colon', ':', false);
export const Semicolon = keyword('Semicolon', ';', false);
export const Less = keyword('Less', '<', false);
export const LessEquals = keyword('LessEquals', '<=', false);
export const Equals = keyword('Equals', '=', false);
export const Greater = keyword('Greater', '>', false);
export const GreaterEquals = keyword('GreaterEquals', '>=', false);
export const QuestionEquals = keyword('QuestionEquals', '?=', false);
export const LBracket = keyword('LBracket', '[', false);
export const RBracket = keyword('RBracket', ']', false);
export const LBrace = keyword('LBrace', '{', false);
export const RBrace = keyword('RBrace', '}', false);
export const Bar = keyword('Bar', '|', false);
export const BarBar = keyword('BarBar', '||', false);

export const Actions = keyword('Actions', 'actions', true);
export const Bind = keyword('Bind', 'bind', true);
export const Break = keyword('Break', 'break', true);
export const Case = keyword('Case', 'case', true);
export const Continue = keyword('Continue', 'continue', true);
export const Default = keyword('Default', 'default', true);
export const Else = keyword('Else', 'else', true);
export const Existing = keyword('Existing', 'existing', true);
export const For = keyword('For', 'for', true);
export const If = keyword('If', 'if', true);
export const Ignore = keyword('Ignore', 'ignore', true);
export const In = keyword('In', 'in', true);
export const Include = keyword('Include', 'include', true);
export const Local = keyword('Local', 'local', true);
export const Maxline = keyword('Maxline', 'maxline', true);
export const On = keyword('On', 'on', true);
export const Piecemeal = keyword('Piecemeal', 'piecemeal', true);
export const Quietly = keyword('Quietly', 'quietly', true);
export const Return = keyword('Return', 'return', true);
export const Rule = keyword('Rule', 'rule', true);
export const Switch = keyword('Switch', 'switch', true);
export const Together = keyword('Together', 'together', true);
export const Updated = keyword('Updated', 'updated', true);
export const While = keyword('While', 'while', true);

/** True for token types that are keywords of either kind. */
export function isKeywordType(t: TokenType): boolean {
  return KEYWORD_TYPES.has(t);
}
const KEYWORD_TYPES = new Set<TokenType>(KEYWORDS.values());

/** Alphabetic keyword types: plain words inside punctuation-mode lists. */
export const ALPHA_KEYWORDS = new Set<TokenType>(
  [...KEYWORDS.entries()].filter(([w]) => /^[a-z]/.test(w)).map(([, t]) => t),
);
