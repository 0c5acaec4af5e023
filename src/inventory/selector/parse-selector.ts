import { didYouMean } from '../closest-matches.js';
import { compileGlob, GLOB_CHARS, GlobSyntaxError } from './glob.js';
import { InvalidSelectorError } from './invalid-selector-error.js';
import {
  SELECTOR_ATTRIBUTES,
  SelectorAst,
  SelectorAttribute,
  VAR_KEY_PATTERN,
  type SelectorAlternative,
  type SelectorAtom,
  type SelectorPattern,
} from './selector-ast.js';

export const MAX_SELECTOR_LENGTH = 512;
const MAX_TERMS = 32;
const MAX_ALTERNATIVES = 16;
/** Everything a host, group, tag or value can contain, plus `=`, `,`, `!`, glob characters and spaces. */
const ALLOWED_CHAR = /[A-Za-z0-9._:@/+\-*?[\]=,!\s]/;
const ALLOWED_DESCRIPTION = 'letters, digits, . _ : @ / + -, globs * ? [ ], and = , ! between parts';
const ATTRIBUTE_NAMES = SELECTOR_ATTRIBUTES.map((a) => (a === 'var' ? 'var.<key>' : a));

/**
 * Selector text (from Slack, so untrusted) to its syntax tree. Spaces separate terms that must all hold
 * (AND); commas separate alternatives inside a term (OR); `!` negates one alternative. See docs/inventory.md.
 */
export function parseSelector(input: string): SelectorAst {
  const fail = (problem: string, context?: Record<string, unknown>): never => {
    throw new InvalidSelectorError(input.length > 80 ? `${input.slice(0, 77)}…` : input, problem, context);
  };
  if (input.length > MAX_SELECTOR_LENGTH) fail(`longer than ${MAX_SELECTOR_LENGTH} characters`);
  const text = input.trim();
  if (text === '')
    fail('empty; name hosts, groups or attributes, e.g. `role=web region=us-east-1`, or `all`');
  for (const ch of text) {
    if (!ALLOWED_CHAR.test(ch))
      fail(`character ${JSON.stringify(ch)} is not allowed; allowed: ${ALLOWED_DESCRIPTION}`);
  }

  const termTexts = text.split(/\s+/);
  if (termTexts.length > MAX_TERMS) fail(`more than ${MAX_TERMS} terms`);
  const terms = termTexts.map((termText) => {
    const altTexts = termText.split(',');
    if (altTexts.length > MAX_ALTERNATIVES)
      fail(`term '${termText}' has more than ${MAX_ALTERNATIVES} alternatives`);
    return { text: termText, alternatives: altTexts.map((alt) => parseAlternative(alt, termText, fail)) };
  });
  if (!terms.some((t) => t.alternatives.some((a) => !a.negated))) {
    fail(`every term is negated, which would select from all hosts; say so with \`all ${text}\``);
  }
  return SelectorAst.parse({ text, terms });
}

function parseAlternative(
  alt: string,
  termText: string,
  fail: (problem: string) => never,
): SelectorAlternative {
  if (alt === '') fail(`empty alternative in '${termText}' (a stray comma?); write role=web,role=api`);
  const negated = alt.startsWith('!');
  const body = negated ? alt.slice(1) : alt;
  if (body === '' || body.startsWith('!'))
    fail(`'${alt}': '!' must be followed by one host, group or attribute`);
  // A '!' right after '[' negates a glob character class (`db-[!a]*`); anywhere else it is a mistake.
  if (/(^|[^[])!/.test(body))
    fail(`'${alt}': '!' is only allowed at the start of an alternative or after '[' in a glob`);
  return { text: alt, negated, atom: parseAtom(body, fail) };
}

function parseAtom(body: string, fail: (problem: string) => never): SelectorAtom {
  const eq = body.indexOf('=');
  if (eq < 0) {
    if (body === 'all') return { kind: 'all' };
    return { kind: 'word', pattern: pattern(body, fail) };
  }
  const name = body.slice(0, eq);
  const value = body.slice(eq + 1);
  if (value.includes('=')) fail(`'${body}' has more than one '='`);
  if (value === '') fail(`'${body}' has no value after '='`);
  if (name.startsWith('var.')) {
    const key = name.slice(4);
    if (!VAR_KEY_PATTERN.test(key))
      fail(`'${name}': a variable name is letters, digits and _, e.g. var.http_port=80`);
    return { kind: 'attribute', attribute: 'var', key, pattern: pattern(value, fail) };
  }
  const attribute = SelectorAttribute.safeParse(name);
  if (!attribute.success || attribute.data === 'var') {
    fail(
      `unknown attribute '${name}'${didYouMean(name, [...SELECTOR_ATTRIBUTES.filter((a) => a !== 'var'), 'var.<key>'])}; allowed: ${ATTRIBUTE_NAMES.join(', ')}`,
    );
  }
  return { kind: 'attribute', attribute: attribute.data, pattern: pattern(value, fail) };
}

function pattern(text: string, fail: (problem: string) => never): SelectorPattern {
  const glob = GLOB_CHARS.test(text);
  if (glob) {
    try {
      compileGlob(text);
    } catch (err) {
      if (err instanceof GlobSyntaxError) fail(err.message);
      throw err;
    }
  }
  if (text.length > 253) fail(`'${text.slice(0, 20)}…' is longer than 253 characters`);
  return { text, glob };
}
