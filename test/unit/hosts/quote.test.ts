import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isShellCommand, quote, sh } from '../../../src/hosts/quote.js';
import { UnsafeArgument } from '../../../src/hosts/errors/unsafe-argument.js';

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
  });

  it('passes raw constant text and nested commands through unchanged', () => {
    const inner = sh`cat ${'/etc/os-release'}`;
    const cmd = sh`${inner} ${sh.raw('| wc -l')}`;
    expect(cmd.text).toBe("cat '/etc/os-release' | wc -l");
  });

  it('brands what it builds; a look-alike object is not a ShellCommand', () => {
    expect(isShellCommand(sh`true`)).toBe(true);
    expect(isShellCommand({ kind: 'shell-command', text: 'id' })).toBe(false);
    expect(Object.isFrozen(sh`true`)).toBe(true);
  });
});
