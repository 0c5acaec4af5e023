/**
 * Ansible reads INI values with Python's `ast.literal_eval` and keeps the text when that fails: `8080` is
 * a number, `True` a boolean, `'0755'` a string, `[a, b]` stays text, `10.0.0.1` stays text, and a
 * trailing `# comment` after a literal is ignored. This is that subset: numbers, strings, booleans,
 * None, lists, tuples and dicts. Anything else returns the text unchanged.
 */
export function parseIniValue(text: string): unknown {
  const parser = new LiteralParser(text);
  try {
    parser.skipSpace();
    const value = parser.value();
    parser.skipSpace();
    if (parser.atEnd() || parser.peek() === '#') return value;
  } catch (err) {
    if (!(err instanceof NotALiteral)) throw err;
  }
  return text;
}

class NotALiteral extends Error {}

const INT = /^[+-]?(?:0+|[1-9](?:_?[0-9])*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$/;
const FLOAT = /^[+-]?(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9]+)?$/;
const MAX_DEPTH = 32;

class LiteralParser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  skipSpace(): void {
    while (/\s/.test(this.peek()) && !this.atEnd()) this.pos++;
  }

  value(): unknown {
    if (++this.depth > MAX_DEPTH) throw new NotALiteral();
    try {
      const c = this.peek();
      if (c === "'" || c === '"') return this.string();
      if (c === '[') return this.sequence(']');
      if (c === '(') return this.sequence(')');
      if (c === '{') return this.dict();
      return this.atom();
    } finally {
      this.depth--;
    }
  }

  private string(): string {
    let out = '';
    // Adjacent literals concatenate in Python: 'a' "b" is "ab".
    while (this.peek() === "'" || this.peek() === '"') {
      const quote = this.peek();
      this.pos++;
      for (;;) {
        if (this.atEnd()) throw new NotALiteral();
        const c = this.text[this.pos++]!;
        if (c === quote) break;
        if (c === '\\') out += unescape(this.text[this.pos++] ?? '');
        else out += c;
      }
      const save = this.pos;
      this.skipSpace();
      if (this.peek() !== "'" && this.peek() !== '"') this.pos = save;
    }
    return out;
  }

  private sequence(close: string): unknown[] {
    this.pos++;
    const items: unknown[] = [];
    for (;;) {
      this.skipSpace();
      if (this.peek() === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== close) throw new NotALiteral();
    }
  }

  private dict(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace();
      if (this.peek() === '}') {
        this.pos++;
        return out;
      }
      const key = this.value();
      if (typeof key === 'object' && key !== null) throw new NotALiteral();
      this.skipSpace();
      if (this.peek() !== ':') throw new NotALiteral();
      this.pos++;
      this.skipSpace();
      out[String(key)] = this.value();
      this.skipSpace();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') throw new NotALiteral();
    }
  }

  private atom(): unknown {
    const m = /^[^\s,\])}:#]+/.exec(this.text.slice(this.pos));
    if (!m) throw new NotALiteral();
    const word = m[0];
    this.pos += word.length;
    if (word === 'True') return true;
    if (word === 'False') return false;
    if (word === 'None') return null;
    if (INT.test(word)) return parseInteger(word);
    if (FLOAT.test(word) && /[.eE]/.test(word) && /^[+-]?(?:[0-9]|\.[0-9])/.test(word))
      return Number(word.replaceAll('_', ''));
    throw new NotALiteral();
  }
}

function parseInteger(word: string): number {
  const negative = word.startsWith('-');
  const digits = word.replace(/^[+-]/, '').replaceAll('_', '');
  const value = /^0[xXoObB]/.test(digits) ? Number(digits.toLowerCase()) : Number(digits);
  return negative ? -value : value;
}

function unescape(c: string): string {
  switch (c) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case '0':
      return '\0';
    default:
      return c;
  }
}
