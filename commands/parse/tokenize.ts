import { CommandInputError } from './command-input-error.js';

/**
 * Splits slash-command text into words the way a shell would, without any expansion: whitespace
 * separates, '…' and "…" group (a backslash escapes " and \ inside double quotes), and quotes join
 * adjacent text (`--reason="a b"` is one word). Slack clients turn typed quotes into “smart” ones,
 * so ‘ ’ and “ ” count as quotes too.
 */
const OPEN_TO_CLOSE: Record<string, string> = { '"': '"', "'": "'", '“': '”', '‘': '’', '”': '”', '’': '’' };

export function tokenize(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    const close = OPEN_TO_CLOSE[c];
    if (close !== undefined) {
      inWord = true;
      const start = i;
      i++;
      while (i < text.length && text[i] !== close) {
        if (c === '"' && text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
        word += text[i];
        i++;
      }
      if (i >= text.length) {
        throw new CommandInputError(
          'quotes',
          `the quote ${c} opened at character ${start + 1} is never closed`,
          `quoted text closed with ${close}`,
        );
      }
      i++;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  if (inWord) words.push(word);
  return words;
}
