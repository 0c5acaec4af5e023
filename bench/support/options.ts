import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * A benchmark's command line, read with node's own parser: `--help` prints the usage and exits, `--quick`
 * asks for a short pass (fewer rounds and hosts) and any unknown flag is refused, naming the known ones.
 */
export function benchOptions(
  usage: string,
  options: Options,
  argv = process.argv.slice(2),
): Record<string, string | boolean | undefined> {
  const all: Options = { ...options, help: { type: 'boolean' }, quick: { type: 'boolean' } };
  try {
    const { values } = parseArgs({ args: argv, options: all, allowPositionals: false, strict: true });
    if (values['help'] === true) {
      console.log(usage.trim());
      process.exit(0);
    }
    return values as Record<string, string | boolean | undefined>;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage.trim()}`);
    process.exit(2);
  }
}

/** A whole number from a flag's text, or the fallback when the flag was not given. */
export function count(text: string | boolean | undefined, fallback: number, flag: string): number {
  if (text === undefined || typeof text === 'boolean') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${flag} takes a whole number, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}
