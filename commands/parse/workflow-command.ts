import type { z } from 'zod';
import {
  flagParam,
  isCustomSyntax,
  isLiteral,
  positionalParam,
  type DeclarativeSyntax,
  type ParsedWorkflowCommand,
} from '../../src/kit/command-syntax.js';
import type { AnyWorkflowModule } from '../../src/kit/workflow-module.js';
import { parseArgs, type FlagSpec } from './args.js';
import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';
import { noMore } from './positionals.js';
import { parseRolloutFlags, ROLLOUT_FLAGS, ROLLOUT_USAGE } from './rollout-flags.js';
import { withUsage } from './with-usage.js';

/**
 * One parser for every workflow's words: after `/marshal run <workflow>`, after the workflow's own slash
 * command, and after `marshal run <workflow>` in a terminal. A declarative syntax is read here (the
 * shared rollout flags by the one rollout-flag parser); a custom one by the module's own parser. The
 * params are then checked with the workflow's schema, so a bad value is refused naming the word or
 * flag it came from, before anything starts.
 */
export function parseWorkflowWords(
  module: AnyWorkflowModule,
  words: readonly string[],
  /** What the operator typed before the words, for the usage line: `/config push`, `marshal run config-push`. */
  command: string,
): ParsedWorkflowCommand {
  return withUsage(`${command} ${workflowUsage(module)}`, () => {
    const parsed = readWorkflowWords(module, words);
    checkParams(module, parsed.params);
    return parsed;
  });
}

/** The words as the syntax reads them, before the params schema checks the values. */
export function readWorkflowWords(
  module: AnyWorkflowModule,
  words: readonly string[],
): ParsedWorkflowCommand {
  const syntax = module.syntax;
  return isCustomSyntax(syntax) ? syntax.parse(words) : parseDeclarative(syntax, words);
}

/** The words a workflow takes, e.g. `<bundle> to <selector> [--canary N|N%] … [--dry-run]`. */
export function workflowUsage(module: AnyWorkflowModule): string {
  const syntax = module.syntax;
  if (isCustomSyntax(syntax)) return syntax.usage;
  const words = syntax.positionals.map((p) => {
    if (isLiteral(p)) return p.literal;
    const shown = p.rest ? `<${p.name}>...` : `<${p.name}>`;
    return p.optional ? `[${shown}]` : shown;
  });
  for (const [name, flag] of Object.entries(syntax.flags ?? {})) {
    words.push(flag.kind === 'boolean' ? `[--${name}]` : `[--${name} <${flag.placeholder ?? 'value'}>]`);
  }
  words.push(syntax.rollout ? ROLLOUT_USAGE : '[--dry-run]');
  return words.join(' ');
}

/** One line per positional and flag, for `--help` and `/marshal help <workflow>`. */
export function workflowHelpLines(module: AnyWorkflowModule): string[] {
  const syntax = module.syntax;
  if (isCustomSyntax(syntax)) return [...(syntax.help ?? [])];
  const lines: string[] = [];
  for (const p of syntax.positionals) if (!isLiteral(p)) lines.push(`<${p.name}>  ${p.help}`);
  for (const [name, flag] of Object.entries(syntax.flags ?? {})) {
    const shown = flag.kind === 'boolean' ? `--${name}` : `--${name} <${flag.placeholder ?? 'value'}>`;
    lines.push(`${shown}  ${flag.help}`);
  }
  if (syntax.rollout) lines.push(...ROLLOUT_HELP);
  lines.push('--dry-run  plan every target and change nothing');
  return lines;
}

/** Which rollout flag fills which params key (commands/parse/rollout-flags.ts). */
const ROLLOUT_PARAM_FLAGS: Readonly<Record<string, string>> = {
  canary: '--canary',
  batches: '--batches',
  soakMs: '--delay',
  concurrency: '--concurrency',
  maxFailPercent: '--max-fail',
  maxPer: '--max-per',
  by: '--by',
};

const ROLLOUT_HELP = [
  '--canary N|N%  targets changed first, alone, before the approval (0: none)',
  '--batches 1,10%,100%  sizes of the batches after the approval; the last repeats until done',
  '--delay 30s  soak time between batches',
  '--concurrency N  targets worked on at once inside a batch',
  '--max-fail N%  targets per batch (and in all) that may fail before the rollout halts',
  '--max-per VAR=N  never more than N targets sharing a value of inventory var VAR at once (e.g. rack=1)',
  '--by VAR  batches walk one value of inventory var VAR at a time (e.g. az)',
];

/** The flags a declarative syntax takes: its own, the rollout flags if it is a rollout, `--dry-run` always. */
export function declaredFlags(syntax: DeclarativeSyntax): FlagSpec {
  const own = Object.fromEntries(Object.entries(syntax.flags ?? {}).map(([name, f]) => [name, f.kind]));
  return { ...own, ...(syntax.rollout ? ROLLOUT_FLAGS : { 'dry-run': 'boolean' as const }) };
}

function parseDeclarative(syntax: DeclarativeSyntax, words: readonly string[]): ParsedWorkflowCommand {
  const { positionals, flags } = parseArgs(words, declaredFlags(syntax));
  const params: Record<string, unknown> = {};
  let at = 0;
  for (const p of syntax.positionals) {
    const word = positionals[at];
    if (isLiteral(p)) {
      const part = codeSpan(p.literal);
      if (word === undefined) throw new CommandInputError(part, 'is missing', `the word ${part} here`);
      if (word !== p.literal)
        throw new CommandInputError(part, `found ${codeSpan(word)} instead`, `the word ${part} here`);
      at++;
      continue;
    }
    if (p.rest) {
      const rest = positionals.slice(at);
      if (rest.length === 0 && !p.optional) throw new CommandInputError(`<${p.name}>`, 'is missing', p.help);
      params[positionalParam(p)] = rest;
      at = positionals.length;
      continue;
    }
    if (word === undefined) {
      if (p.optional) continue;
      throw new CommandInputError(`<${p.name}>`, 'is missing', p.help);
    }
    if (p.word) {
      const checked = p.word.safeParse(word);
      if (!checked.success) {
        const message = checked.error.issues[0]?.message ?? 'is not valid';
        throw new CommandInputError(`<${p.name}>`, `${codeSpan(word, 60)} ${message}`, p.help);
      }
    }
    params[positionalParam(p)] = word;
    at++;
  }
  noMore(positionals, at);
  for (const [name, flag] of Object.entries(syntax.flags ?? {})) {
    const value = flags.get(name);
    if (value !== undefined) params[flagParam(name, flag)] = value;
  }
  if (syntax.rollout) {
    const { rollout, dryRun } = parseRolloutFlags(flags);
    return { params: { ...params, ...rollout }, dryRun };
  }
  return { params, dryRun: flags.get('dry-run') === true };
}

/** Refuses params the workflow's schema refuses, naming the positional or flag the bad value came from. */
function checkParams(module: AnyWorkflowModule, params: Record<string, unknown>): void {
  const schema = module.params as z.ZodType;
  const result = schema.safeParse(params);
  if (result.success) return;
  const issue = result.error.issues[0]!;
  const key = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
  const { part, allowed } = partOf(module, key);
  const value = key !== undefined ? params[key] : undefined;
  const shown = typeof value === 'string' ? `${codeSpan(value, 60)} ` : '';
  throw new CommandInputError(part, `${shown}${issue.message}`, allowed);
}

function partOf(module: AnyWorkflowModule, key: string | undefined): { part: string; allowed: string } {
  const syntax = module.syntax;
  if (key !== undefined && !isCustomSyntax(syntax)) {
    for (const p of syntax.positionals) {
      if (!isLiteral(p) && positionalParam(p) === key) return { part: `<${p.name}>`, allowed: p.help };
    }
    for (const [name, flag] of Object.entries(syntax.flags ?? {})) {
      if (flagParam(name, flag) === key) return { part: `--${name}`, allowed: flag.help };
    }
    const rolloutFlag = syntax.rollout ? ROLLOUT_PARAM_FLAGS[key] : undefined;
    if (rolloutFlag) return { part: rolloutFlag, allowed: 'see the usage line' };
  }
  return { part: key ?? 'arguments', allowed: `the words of the usage line` };
}
