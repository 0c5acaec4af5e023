import { CommandInputError } from './command-input-error.js';

/** Refuses words left over after a command took what it needs. */
export function noMore(positionals: readonly string[], from: number): void {
  const extra = positionals[from];
  if (extra !== undefined) {
    throw new CommandInputError(
      'arguments',
      `unexpected \`${extra.replace(/`/g, "'")}\``,
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
