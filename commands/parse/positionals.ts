import { codeSpan } from './code-span.js';
import { CommandInputError } from './command-input-error.js';
import { parseValue, type ValueKind } from './values.js';

/** Refuses words left over after a command took what it needs. */
export function noMore(positionals: readonly string[], from: number): void {
  const extra = positionals[from];
  if (extra !== undefined) {
    throw new CommandInputError(
      'arguments',
      `unexpected ${codeSpan(extra)}`,
      'only the arguments in the usage line',
    );
  }
}

/** The word at `index`, or a refusal naming the missing `part`. */
export function required(
  positionals: readonly string[],
  index: number,
  part: string,
  allowed: string,
): string {
  const word = positionals[index];
  if (word === undefined) throw new CommandInputError(part, 'is missing', allowed);
  return word;
}

/** The word at `index`, checked against `kind`; a missing or bad word is refused naming `part`. */
export function requiredValue<T>(
  positionals: readonly string[],
  index: number,
  kind: ValueKind<T>,
  part: string,
): T {
  return parseValue(kind, required(positionals, index, part, kind.allowed), part);
}

/** Refuses a missing subcommand, or one `command` (e.g. `/cert`) does not have. */
export function unknownSubcommand(
  command: string,
  sub: string | undefined,
  allowed: string,
): CommandInputError {
  const article = /^\/[aeiou]/i.test(command) ? 'an' : 'a';
  return new CommandInputError(
    'subcommand',
    sub === undefined ? 'is missing' : `${codeSpan(sub)} is not ${article} ${command} subcommand`,
    allowed,
  );
}
