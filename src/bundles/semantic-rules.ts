import { z } from 'zod';
import type { FieldIssue } from '../errors/index.js';
import { formatPath } from '../errors/index.js';
import { describe } from './config-schema.js';
import { parseFieldPath, resolveFieldPath, type PathSegment } from './field-path.js';

/**
 * Rules a schema cannot express, written declaratively in the manifest:
 *
 *   - path: limits.*.rate          # every route's rate
 *     rule: "> 0"
 *     message: a rate limit of 0 blocks all traffic
 *   - path: pools.*                # every pool
 *     rule: "min <= max"
 *     message: a pool cannot start with more connections than its maximum
 *
 * `rule` is `[left] <op> <right>`: without `left` the field at `path` itself is compared; `left` and `right`
 * are numbers, quoted strings, true/false, or field paths relative to the field at `path`. A rule whose
 * fields are absent is skipped: whether they must be there is the schema's job.
 */
const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

type Operand =
  | { kind: 'literal'; value: string | number | boolean }
  | { kind: 'field'; text: string; segments: PathSegment[] };

export interface CompiledRule {
  path: string;
  segments: PathSegment[];
  left: Operand | undefined;
  operator: Operator;
  right: Operand;
  rule: string;
  message: string;
}

const RULE_SYNTAX = /^\s*(?:(.+?)\s+)?(<=|>=|==|!=|<|>)\s*(.+?)\s*$/;

function parseOperand(text: string): Operand | { error: string } {
  if (/^-?\d+(\.\d+)?$/.test(text)) return { kind: 'literal', value: Number(text) };
  if (text === 'true' || text === 'false') return { kind: 'literal', value: text === 'true' };
  const quoted = /^(['"])(.*)\1$/.exec(text);
  if (quoted) return { kind: 'literal', value: quoted[2] ?? '' };
  const segments = parseFieldPath(text);
  if ('error' in segments) return segments;
  return { kind: 'field', text, segments };
}

/** Parses `rule` text once; the errors name what is wrong in terms of the rule grammar. */
export function compileRule(input: {
  path: string;
  rule: string;
  message: string;
}): CompiledRule | { error: string; field: 'path' | 'rule' } {
  const segments = parseFieldPath(input.path);
  if ('error' in segments) return { error: segments.error, field: 'path' };
  const match = RULE_SYNTAX.exec(input.rule);
  if (!match)
    return {
      error: `"${input.rule}" is not "[field] <op> <value>" with op one of ${OPERATORS.join(' ')}`,
      field: 'rule',
    };
  const [, leftText, operator, rightText = ''] = match;
  const left = leftText === undefined ? undefined : parseOperand(leftText);
  const right = parseOperand(rightText);
  if (left && 'error' in left) return { error: left.error, field: 'rule' };
  if ('error' in right) return { error: right.error, field: 'rule' };
  return {
    path: input.path,
    segments,
    left,
    operator: operator as Operator,
    right,
    rule: input.rule.trim(),
    message: input.message,
  };
}

export const SemanticRule = z
  .object({
    path: z.string().min(1).describe('the field (or fields, with *) the rule is about'),
    rule: z.string().min(1),
    message: z.string().min(1).describe('why the rule exists, shown to the operator'),
  })
  .strict()
  .superRefine((input, ctx) => {
    const compiled = compileRule(input);
    if ('error' in compiled)
      ctx.addIssue({ code: 'custom', path: [compiled.field], message: compiled.error });
  });
export type SemanticRule = z.infer<typeof SemanticRule>;

/** Every place the config breaks a rule: the concrete field, the rule, what was found. */
export function checkSemanticRules(config: unknown, rules: readonly SemanticRule[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const input of rules) {
    const rule = compileRule(input);
    if ('error' in rule) throw new Error(`rule was not validated: ${rule.error}`);
    for (const subject of resolveFieldPath(config, rule.segments)) {
      const left = rule.left ? value(rule.left, subject) : { path: subject.path, value: subject.value };
      const right = value(rule.right, subject);
      if (left.value === undefined || right.value === undefined) continue;
      const where = formatPath(left.path);
      const found =
        rule.right.kind === 'field'
          ? `found ${shown(left.value)} and ${rule.right.text} = ${shown(right.value)}`
          : `found ${shown(left.value)}`;
      const verdict = compare(left.value, rule.operator, right.value);
      if (verdict === 'incomparable')
        issues.push({
          path: where,
          message: `${rule.message} (rule "${rule.rule}" cannot compare ${describe(left.value)} with ${describe(right.value)})`,
        });
      else if (!verdict)
        issues.push({ path: where, message: `${rule.message} (rule "${rule.rule}", ${found})` });
    }
  }
  return issues;
}

function value(
  operand: Operand,
  subject: { path: (string | number)[]; value: unknown },
): { path: (string | number)[]; value: unknown } {
  if (operand.kind === 'literal') return { path: subject.path, value: operand.value };
  // A relative path names one field; wildcards in it would make "the" value ambiguous, so take the first.
  const [first] = resolveFieldPath(subject.value, operand.segments, subject.path);
  return first ?? { path: subject.path, value: undefined };
}

function compare(a: unknown, op: Operator, b: unknown): boolean | 'incomparable' {
  const numeric = (v: unknown): number | undefined =>
    typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return apply(x, op, y);
  if (op === '==' || op === '!=') {
    if (typeof a !== typeof b || typeof a === 'object') return 'incomparable';
    return op === '==' ? a === b : a !== b;
  }
  if (typeof a === 'string' && typeof b === 'string') return apply(a, op, b);
  return 'incomparable';
}

function apply<T extends number | string>(x: T, op: Operator, y: T): boolean {
  switch (op) {
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
    case '==':
      return x === y;
    case '!=':
      return x !== y;
  }
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
