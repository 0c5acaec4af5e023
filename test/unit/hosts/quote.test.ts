import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isShellCommand, quote, sh } from '../../../src/hosts/quote.js';
import { UnsafeArgument } from '../../../src/hosts/errors/unsafe-argument.js';
import { thrownBy } from '../../support/refusal.js';

const payloads = [
  ';id',
  '$(id)',
  '`id`',
  '| id',
  '&& id',
  "'; id; echo '",
  "it's",
  '-oProxyCommand=touch /tmp/pwned',
  '*',
  '/etc/*',
  '$HOME',
  '${HOME}',
  '~root',
  '\\',
  '"',
  ' leading and trailing ',
  '',
  'a\tb',
];

/** Runs the command in a real local /bin/sh and returns its stdout, to prove what the shell sees. */
function runSh(text: string): string {
  return execFileSync('/bin/sh', ['-c', text], { encoding: 'utf8', cwd: '/' });
}

describe('quote', () => {
  it.each(payloads)('makes %j exactly one literal word for a real sh', (payload) => {
    const out = runSh(`printf '%s\\0' ${quote(payload)}`);
    expect(out).toBe(`${payload}\0`);
  });

  it('refuses a value that is not a string (from untyped input), naming what it got', () => {
    const e = thrownBy(UnsafeArgument, () => quote(5 as unknown as string, 'port'));
    expect(e.message).toBe('Refused shell argument port: expected a string, got number');
  });

  it("names a value 'argument' when the caller gives no label", () => {
    expect(thrownBy(UnsafeArgument, () => quote('a\0b')).message).toMatch(
      /^Refused shell argument argument: /,
    );
  });

  it('refuses a NUL byte and says so', () => {
    expect(() => quote('a\0b')).toThrow(UnsafeArgument);
    expect(() => quote('a\0b')).toThrow(/NUL/);
  });

  it('refuses newline and carriage return, naming the argument and the way out', () => {
    try {
      void sh`echo ${'ok'} ${'line1\nline2'}`;
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnsafeArgument);
      const e = err as UnsafeArgument;
      expect(e.code).toBe('unsafe_argument');
      expect(e.retryable).toBe(false);
      expect(e.message).toMatch(/#2/);
      expect(e.message).toMatch(/newline/);
      expect(e.message).toMatch(/stdin/);
    }
    expect(() => quote('a\rb')).toThrow(/carriage return/);
  });
});

describe('sh', () => {
  it('quotes every interpolation and keeps the template text', () => {
    const unit = 'nginx.service';
    expect(sh`systemctl reload ${unit}`.text).toBe("systemctl reload 'nginx.service'");
  });

  it('expands arrays to several quoted words', () => {
    const cmd = sh`rm -f -- ${['/a b', "it's", '$(id)']}`;
    expect(cmd.text).toBe(`rm -f -- '/a b' 'it'\\''s' '$(id)'`);
    expect(runSh(sh`printf '%s|' ${['/a b', "it's", '$(id)']}`.text)).toBe("/a b|it's|$(id)|");
  });

  it.each(payloads.filter(Boolean))('echo of %j prints it literally and runs nothing', (payload) => {
    expect(runSh(sh`printf '%s' ${payload}`.text)).toBe(payload);
  });

  it('quotes numbers and refuses non-finite ones', () => {
    expect(sh`sleep ${5}`.text).toBe("sleep '5'");
    expect(() => sh`sleep ${Number.NaN}`).toThrow(UnsafeArgument);
    expect(() => sh`sleep ${Number.POSITIVE_INFINITY}`).toThrow(/the number Infinity is not finite/);
  });

  it('refuses a non-finite number inside an array, naming its place in the array', () => {
    expect(sh`kill ${[1, 2]}`.text).toBe("kill '1' '2'");
    expect(() => sh`kill ${[1, Number.NaN]}`).toThrow(
      /#1 \(after "kill"\)\[1\]: the number NaN is not finite/,
    );
  });

  it('quotes raw text or a command smuggled into an array (untyped input) instead of passing it through', () => {
    const smuggled = [sh.raw('; id'), sh`id`] as unknown as string[];
    expect(sh`echo ${smuggled}`.text).toBe("echo '[object Object]' '[object Object]'");
  });

  it('labels a refused value by its place and the last 30 characters of template before it', () => {
    const before = 'a template longer than thirty characters, ending in';
    const e = thrownBy(
      UnsafeArgument,
      () => sh`${'ok'}a template longer than thirty characters, ending in ${'x\ny'}`,
    );
    expect(e.message).toMatch(
      new RegExp(`^Refused shell argument #2 \\(after "${`${before} `.slice(-30).trim()}"\\): `),
    );
    expect(thrownBy(UnsafeArgument, () => sh`  echo   ${'x\0'}`).message).toMatch(/#1 \(after "echo"\)/);
  });

  it('passes raw constant text and nested commands through unchanged', () => {
    const inner = sh`cat ${'/etc/os-release'}`;
    const cmd = sh`${inner} ${sh.raw('| wc -l')}`;
    expect(cmd.text).toBe("cat '/etc/os-release' | wc -l");
  });

  it('brands what it builds; a look-alike object is not a ShellCommand', () => {
    expect(isShellCommand(sh`true`)).toBe(true);
    expect(isShellCommand({ kind: 'shell-command', text: 'id' })).toBe(false);
    for (const other of [null, undefined, 'id', 1, sh.raw('id')]) expect(isShellCommand(other)).toBe(false);
    expect(Object.isFrozen(sh`true`)).toBe(true);
  });
});
