import type { ShellCommand } from './executor.js';
import { UnsafeArgument } from './errors/unsafe-argument.js';

/**
 * The one way Marshal builds text for a remote POSIX shell. Every interpolated value passes through
 * `quote`, so user input becomes exactly one literal word (or, for arrays, one word per element).
 *
 *   sh`systemctl reload ${unit}`          → systemctl reload 'nginx.service'
 *   sh`rm -f -- ${paths}`                 → rm -f -- '/a' '/b'
 *   sh`cat ${file} | ${sh.raw('wc -l')}`  → raw text only for constants written in code
 *
 * Quoting cannot stop a value that begins with `-` from being read as an option: templates put `--`
 * before operands that come from input.
 */

const built = new WeakSet<object>();

/** Single-quote a value for a POSIX shell. Inside single quotes nothing is special except `'` itself. */
export function quote(arg: string, label = 'argument'): string {
  if (typeof arg !== 'string') throw new UnsafeArgument(label, `expected a string, got ${typeof arg}`);
  if (arg.includes('\0'))
    throw new UnsafeArgument(label, 'contains a NUL byte, which no shell argument can hold');
  if (/[\r\n]/.test(arg)) {
    throw new UnsafeArgument(
      label,
      'contains a newline or carriage return; send multi-line content over stdin or upload it as a file',
    );
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Text written in code that must reach the shell unquoted (pipes, redirections). Never user input. */
export class RawShell {
  constructor(readonly text: string) {}
}

export type ShellValue = string | number | RawShell | ShellCommand | readonly (string | number)[];

function render(value: ShellValue, label: string): string {
  if (value instanceof RawShell) return value.text;
  if (isShellCommand(value)) return value.text;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UnsafeArgument(label, `the number ${value} is not finite`);
    return quote(String(value), label);
  }
  if (Array.isArray(value)) {
    return (value as readonly (string | number)[])
      .map((v, i) => render(typeof v === 'number' ? v : String(v), `${label}[${i}]`))
      .join(' ');
  }
  return quote(value as string, label);
}

function make(text: string): ShellCommand {
  const command = Object.freeze({ kind: 'shell-command', text }) as unknown as ShellCommand;
  built.add(command);
  return command;
}

function shTag(strings: TemplateStringsArray, ...values: ShellValue[]): ShellCommand {
  // A template always has one more string than values, so the `?? ''` below never applies; they are
  // there for the type checker (noUncheckedIndexedAccess), and mutating them changes nothing.
  // Stryker disable next-line StringLiteral: strings[0] always exists
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    // Stryker disable next-line StringLiteral: strings[i] always exists
    const before = strings[i] ?? '';
    const label = `#${i + 1} (after "${before.slice(-30).trim()}")`;
    // Stryker disable next-line StringLiteral: strings[i + 1] always exists
    text += render(value, label) + (strings[i + 1] ?? '');
  });
  return make(text);
}

/** The `sh` template tag; `sh.raw(constant)` marks constant text written in code. */
export const sh = Object.assign(shTag, {
  raw: (text: string): RawShell => new RawShell(text),
});

/** True only for commands built by `sh` in this process; a look-alike object is refused. */
export function isShellCommand(value: unknown): value is ShellCommand {
  // WeakSet#has answers false for anything never added, primitives and null included: no other check.
  return built.has(value as object);
}
