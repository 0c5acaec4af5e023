import { describe, expect, it } from 'vitest';
import { InvalidSelectorError } from '../../../../src/inventory/selector/invalid-selector-error.js';
import { parseSelector } from '../../../../src/inventory/selector/parse-selector.js';
import { thrownBy } from '../../../support/refusal.js';

/** The message `parseSelector(text)` refuses with; fails the test when it accepts. */
function refusal(text: string): string {
  const err = thrownBy(InvalidSelectorError, () => parseSelector(text));
  expect(err.name).toBe('InvalidSelectorError');
  return err.message;
}

describe('parseSelector refusals say what is wrong', () => {
  it.each([
    ['   ', 'empty; name hosts, groups or attributes, e.g. `role=web region=us-east-1`, or `all`'],
    [
      'web;id',
      'character ";" is not allowed; allowed: letters, digits, . _ : @ / + -, globs * ? [ ], and = , ! between parts',
    ],
    ['!web', 'every term is negated, which would select from all hosts; say so with `all !web`'],
    ['web,,api', "empty alternative in 'web,,api' (a stray comma?); write role=web,role=api"],
    ['web !', "'!': '!' must be followed by one host, group or attribute"],
    ['web !!db', "'!!db': '!' must be followed by one host, group or attribute"],
    ['web db!x', "'db!x': '!' is only allowed at the start of an alternative or after '[' in a glob"],
    ['role=web=api', "'role=web=api' has more than one '='"],
    ['role=', "'role=' has no value after '='"],
    ['var.http-port=80', "'var.http-port': a variable name is letters, digits and _, e.g. var.http_port=80"],
    [
      'rol=web',
      "unknown attribute 'rol'; did you mean 'role'?; allowed: name, address, region, role, tag, group, var.<key>",
    ],
    ['var=80', "unknown attribute 'var'"],
    ['web-[', "'[' without a closing ']' in 'web-['"],
  ])('%j: %s', (text, problem) => {
    expect(refusal(text)).toContain(`invalid host selector '${text}': ${problem}`);
  });

  it('quotes a long selector cut to 77 characters and an ellipsis, a shorter one whole', () => {
    const long = `web,${'a'.repeat(90)}!x`;
    expect(refusal(long)).toBe(
      `invalid host selector '${long.slice(0, 77)}…': '${'a'.repeat(90)}!x': '!' is only allowed at the start of an alternative or after '[' in a glob`,
    );
    const eighty = `${'b'.repeat(77)}!xy`;
    expect(eighty).toHaveLength(80);
    expect(refusal(eighty)).toMatch(new RegExp(`^invalid host selector '${eighty}':`));
  });

  it('holds selectors to 512 characters, 32 terms, 16 alternatives a term, 253 characters a pattern', () => {
    const terms = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`).join(' ');
    const alternatives = (n: number) => Array.from({ length: n }, (_, i) => `h${i}`).join(',');
    expect(parseSelector(terms(32)).terms).toHaveLength(32);
    expect(refusal(terms(33))).toMatch(/: more than 32 terms$/);
    expect(parseSelector(alternatives(16)).terms[0]?.alternatives).toHaveLength(16);
    expect(refusal(alternatives(17))).toMatch(/: term 'h0,h1,.*' has more than 16 alternatives$/);
    expect(parseSelector('a'.repeat(253)).terms).toHaveLength(1);
    expect(refusal('a'.repeat(254))).toMatch(
      new RegExp(`: '${'a'.repeat(20)}…' is longer than 253 characters$`),
    );
    expect(parseSelector(`${'a'.repeat(250)}     ${'b'.repeat(250)}`).terms).toHaveLength(2);
    expect(refusal(`web${' '.repeat(510)}`)).toMatch(/: longer than 512 characters$/);
  });

  it('accepts what the refusals spare: runs of spaces, ! after [ in a glob, ! before an alternative', () => {
    const ast = parseSelector('  role=web \t  db-[!a]*,!tag=x  ');
    expect(ast.text).toBe('role=web \t  db-[!a]*,!tag=x');
    expect(ast.terms.map((t) => t.text)).toEqual(['role=web', 'db-[!a]*,!tag=x']);
    expect(ast.terms[1]?.alternatives.map((a) => [a.negated, a.atom])).toEqual([
      [false, { kind: 'word', pattern: { text: 'db-[!a]*', glob: true } }],
      [true, { kind: 'attribute', attribute: 'tag', pattern: { text: 'x', glob: false } }],
    ]);
    expect(refusal('=web')).toContain("unknown attribute ''");
  });
});
