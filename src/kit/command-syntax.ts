import type { z } from 'zod';

/**
 * How operators type a workflow's parameters: the same words after `/marshal run <workflow>`, after
 * the workflow's own slash command (`/config push …`), and after `marshal run <workflow>` in a terminal.
 *
 * Most workflows declare their syntax: positional words and flags, each mapped to a params key; the
 * shared rollout flags (`--canary 1 --batches 10%,50%,100% --delay 2m --concurrency 5 --max-fail 5%`)
 * and `--dry-run` come from one parser shared by every workflow. A workflow whose words do not fit may
 * give its own usage line and parser instead.
 */

/** A word the operator types, stored as the params key `param` (default: `name`). */
export interface PositionalSyntax {
  /** Shown in the usage line as `<name>`. Lower-case words joined by dashes. */
  readonly name: string;
  /** The params key it fills; default `name`. */
  readonly param?: string;
  /** One line for `--help` and `/marshal help`. */
  readonly help: string;
  /** May be left out (only the last positionals may be optional). */
  readonly optional?: boolean;
  /** Takes every remaining word (as a string array); only the last positional may. */
  readonly rest?: boolean;
  /**
   * Checks the word as typed, before the params schema sees it (e.g. a name pattern): its issue's
   * message says what is wrong with the word, `help` what is allowed.
   */
  readonly word?: z.ZodType<string>;
}

/** A fixed word between positionals, e.g. `to` in `<bundle> to <selector>`; it fills no param. */
export interface LiteralSyntax {
  readonly literal: string;
}

/**
 * A flag `--<name> <value>`, `--<name>=<value>` or (boolean) `--<name>`. Values are passed to the
 * params schema as typed (strings); let the schema convert them (`z.coerce.number()`, …).
 */
export interface FlagSyntax {
  /** The params key it fills; default the flag's name in camelCase (`--max-age` → `maxAge`). */
  readonly param?: string;
  readonly kind: 'value' | 'boolean';
  /** Shown as `--name <placeholder>`; default `value`. */
  readonly placeholder?: string;
  readonly help: string;
}

export interface DeclarativeSyntax {
  readonly positionals: readonly (PositionalSyntax | LiteralSyntax)[];
  /** Flag name (without `--`) → how it is read. Must not clash with the rollout flags or `dry-run`. */
  readonly flags?: Readonly<Record<string, FlagSyntax>>;
  /**
   * Takes the shared rollout flags (canary, batches, delay, concurrency, max-fail), written into the
   * params by the shared parser. `--dry-run` is accepted by every workflow, rollout or not.
   */
  readonly rollout?: boolean;
}

/** What a command's words turn into: params for the workflow's schema, and whether this is a dry run. */
export interface ParsedWorkflowCommand {
  readonly params: Record<string, unknown>;
  readonly dryRun: boolean;
}

/**
 * A hand-written syntax: the usage line (without the command in front of it, e.g.
 * `<scenario> [--dry-run]`) and a parser of the words. Throw CommandInputError
 * (commands/parse/command-input-error.ts) for words that are wrong: it names the part, the problem and
 * what is allowed.
 */
export interface CustomSyntax {
  readonly usage: string;
  /** Lines of `--help` beyond the usage line (e.g. what each flag means). */
  readonly help?: readonly string[];
  parse(words: readonly string[]): ParsedWorkflowCommand;
}

export type CommandSyntax = DeclarativeSyntax | CustomSyntax;

export function isCustomSyntax(syntax: CommandSyntax): syntax is CustomSyntax {
  return typeof (syntax as CustomSyntax).parse === 'function';
}

/** A fixed word rather than a parameter. */
export function isLiteral(p: PositionalSyntax | LiteralSyntax): p is LiteralSyntax {
  return typeof (p as LiteralSyntax).literal === 'string';
}

const camelCase = (name: string): string => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The params key a positional fills: its `param`, or its name in camelCase. */
export function positionalParam(p: PositionalSyntax): string {
  return p.param ?? camelCase(p.name);
}

/** The params key a flag fills: its `param`, or its name in camelCase (`--max-age` → `maxAge`). */
export function flagParam(name: string, flag: FlagSyntax): string {
  return flag.param ?? camelCase(name);
}
