/**
 * Shell-style globs for host selectors (`*`, `?`, `[a-c]`, `[!x]`), matched without building a regular
 * expression: selector text comes from Slack, so nothing in it may become regex syntax, and the matcher
 * runs in O(pattern × name) whatever the input.
 */
type Token =
  | { kind: 'char'; ch: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | { kind: 'class'; negated: boolean; ranges: [string, string][] };

export type GlobMatcher = (name: string) => boolean;

export const GLOB_CHARS = /[*?[\]]/;

export class GlobSyntaxError extends Error {
  override name = 'GlobSyntaxError';
}

export function compileGlob(pattern: string): GlobMatcher {
  const tokens = tokenize(pattern);
  return (name) => matchTokens(tokens, name);
}

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === ']') throw new GlobSyntaxError(`']' without a matching '[' in '${pattern}'`);
    else if (c === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) throw new GlobSyntaxError(`'[' without a closing ']' in '${pattern}'`);
      let body = chars.slice(i + 1, close);
      const negated = body[0] === '!';
      if (negated) body = body.slice(1);
      if (body.length === 0) throw new GlobSyntaxError(`empty character class in '${pattern}'`);
      if (body.includes('[')) throw new GlobSyntaxError(`'[' inside a character class in '${pattern}'`);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        const lo = body[j]!;
        if (body[j + 1] === '-' && j + 2 < body.length) {
          const hi = body[j + 2]!;
          if (lo > hi) throw new GlobSyntaxError(`range ${lo}-${hi} is backwards in '${pattern}'`);
          ranges.push([lo, hi]);
          j += 2;
        } else ranges.push([lo, lo]);
      }
      tokens.push({ kind: 'class', negated, ranges });
      i = close;
    } else tokens.push({ kind: 'char', ch: c });
  }
  return tokens;
}

function matchOne(token: Token, ch: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.ch === ch;
    case 'any':
      return true;
    case 'class':
      return token.ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== token.negated;
    case 'star':
      return false;
  }
}

/** The classic one-backtrack-point wildcard match: linear in practice, never exponential. */
function matchTokens(tokens: readonly Token[], name: string): boolean {
  const chars = [...name];
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  while (i < chars.length) {
    const token = tokens[t];
    if (token && token.kind !== 'star' && matchOne(token, chars[i]!)) {
      t++;
      i++;
    } else if (token?.kind === 'star') {
      starT = t++;
      starI = i;
    } else if (starT >= 0) {
      t = starT + 1;
      i = ++starI;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}
