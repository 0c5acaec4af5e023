import { describe, expect, it } from 'vitest';
import { parseIniValue } from '../../../../src/inventory/ansible/python-literal.js';
import { shellWords } from '../../../../src/inventory/ansible/shell-words.js';

describe('INI values (Python literal_eval, as Ansible)', () => {
  it('reads numbers, booleans and None, keeping anything else as text', () => {
    expect(parseIniValue('8080')).toBe(8080);
    expect(parseIniValue('-3')).toBe(-3);
    expect(parseIniValue('1.5')).toBe(1.5);
    expect(parseIniValue('0x1f')).toBe(31);
    expect(parseIniValue('True')).toBe(true);
    expect(parseIniValue('False')).toBe(false);
    expect(parseIniValue('None')).toBe(null);
    expect(parseIniValue('true')).toBe('true');
    expect(parseIniValue('0755')).toBe('0755');
    expect(parseIniValue('10.0.0.1')).toBe('10.0.0.1');
    expect(parseIniValue('ntp.example.com')).toBe('ntp.example.com');
    expect(parseIniValue('-o ProxyJump=x')).toBe('-o ProxyJump=x');
  });

  it('unquotes strings and reads lists and dicts', () => {
    expect(parseIniValue("'0755'")).toBe('0755');
    expect(parseIniValue('"a b"')).toBe('a b');
    expect(parseIniValue("['frontend', 'canary']")).toEqual(['frontend', 'canary']);
    expect(parseIniValue("{'a': 1, 'b': [True, None]}")).toEqual({ a: 1, b: [true, null] });
    expect(parseIniValue('(1, 2)')).toEqual([1, 2]);
    expect(parseIniValue('[1, 2')).toBe('[1, 2');
  });

  it('ignores a comment after a literal but not after plain text', () => {
    expect(parseIniValue('8080 # all members')).toBe(8080);
    expect(parseIniValue('pool.ntp.org # note')).toBe('pool.ntp.org # note');
  });
});

describe('host line splitting (shlex, POSIX, comments)', () => {
  it('groups quoted words, removes quotes, stops at a comment', () => {
    expect(shellWords(`h1 a=1 b="x y" c='it''s' # comment`, { comments: true })).toEqual([
      'h1',
      'a=1',
      'b=x y',
      'c=its',
    ]);
    expect(shellWords(`h mysecret="'03#pa33w0rd'"`, { comments: true })).toEqual([
      'h',
      "mysecret='03#pa33w0rd'",
    ]);
    expect(shellWords(String.raw`h a=x\ y b="q\"q"`, { comments: true })).toEqual(['h', 'a=x y', 'b=q"q']);
  });

  it('refuses an unclosed quote', () => {
    expect(() => shellWords(`h a="x`, { comments: true })).toThrow(/closing quotation/);
  });
});
