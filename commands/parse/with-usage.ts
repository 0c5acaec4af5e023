import { CommandInputError } from './command-input-error.js';

/** Runs a parser; any refusal it throws carries `usage`, so the reply always shows the right usage line. */
export function withUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof CommandInputError) throw err.withUsage(usage);
    throw err;
  }
}
