import { CommandInputError } from './command-input-error.js';

/** Which flags a command accepts: a boolean switch, or one that takes a value. */
export type FlagSpec = Readonly<Record<string, 'boolean' | 'value'>>;

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

/**
 * Separates `--flag value`, `--flag=value` and `--switch` from positional words. Unknown flags,
 * repeated flags, a missing value and a value given to a switch are all refused by name. After a bare
 * `--`, everything is positional.
 */
export function parseArgs(words: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const known = Object.keys(spec).map((f) => `--${f}`);
  const allowedFlags = known.length ? known.join(', ') : 'no flags';
  let onlyPositionals = false;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (onlyPositionals || !word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (kind === undefined)
      throw new CommandInputError(`--${name}`, 'is not a flag of this command', allowedFlags);
    if (flags.has(name)) throw new CommandInputError(`--${name}`, 'is given twice', 'each flag once');
    if (kind === 'boolean') {
      if (eq !== -1)
        throw new CommandInputError(`--${name}`, 'is a switch and takes no value', `--${name} on its own`);
      flags.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (eq !== -1) value = word.slice(eq + 1);
    else if (i + 1 < words.length && !words[i + 1]!.startsWith('--')) value = words[++i];
    if (value === undefined || value === '') {
      throw new CommandInputError(`--${name}`, 'needs a value', `--${name} <value> or --${name}=<value>`);
    }
    flags.set(name, value);
  }
  return { positionals, flags };
}
