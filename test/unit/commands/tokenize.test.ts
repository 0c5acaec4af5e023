import { describe, expect, it } from 'vitest';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import { tokenize } from '../../../commands/parse/tokenize.js';

describe('tokenize', () => {
  it('splits on any whitespace and ignores leading and trailing space', () => {
    expect(tokenize('  push  nginx\tto\nrole=web ')).toEqual(['push', 'nginx', 'to', 'role=web']);
  });

  it('keeps quoted text with spaces as one word, for both quote kinds', () => {
    expect(tokenize(`push "a b" 'c d'`)).toEqual(['push', 'a b', 'c d']);
  });

  it('joins quotes with adjacent text, so --flag="a b" is one word', () => {
    expect(tokenize('--reason="two words" x')).toEqual(['--reason=two words', 'x']);
  });

  it('treats Slack smart quotes as quotes', () => {
    expect(tokenize('status “env=prod role=web” ‘x y’')).toEqual(['status', 'env=prod role=web', 'x y']);
  });

  it('honours backslash escapes inside double quotes only', () => {
    expect(tokenize(String.raw`"say \"hi\"" 'a\b'`)).toEqual(['say "hi"', String.raw`a\b`]);
  });

  it('keeps an empty quoted word', () => {
    expect(tokenize(`a "" b`)).toEqual(['a', '', 'b']);
  });

  it('refuses an unterminated quote and says where it opened', () => {
    const err = (() => {
      try {
        tokenize('push "nginx to web');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CommandInputError);
    expect((err as CommandInputError).part).toBe('quotes');
    expect((err as CommandInputError).problem).toContain('character 6');
  });
});
