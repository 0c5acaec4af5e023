import type { StoredMessage } from './message-store.js';
import { renderEmoji, terminalShowsEmoji } from './emoji.js';

/**
 * A thread as plain terminal text, for the local demo: headers, sections, fields, context lines and
 * buttons, in order. Replies are indented under their parent. Only the block types Marshal posts are
 * drawn in detail; anything else shows as `[type]`. Emoji codes become emoji where the terminal shows
 * them and words where it does not (`options.emoji`, default: terminalShowsEmoji()).
 */
export function renderThreadAsText(
  thread: readonly StoredMessage[],
  options: { width?: number; emoji?: boolean } = {},
): string {
  const width = options.width ?? 80;
  const showEmoji = options.emoji ?? terminalShowsEmoji();
  const lines: string[] = [];
  thread.forEach((message, i) => {
    const prefix = i === 0 ? '' : '  │ ';
    if (i === 1) lines.push('  ┌─ thread');
    const stamp = new Date(Number(message.ts.split('.')[0]) * 1000).toISOString().slice(11, 19);
    const edited = message.edits > 0 ? ` (edited ×${message.edits})` : '';
    lines.push(`${prefix}[${stamp}]${edited}`);
    const body = message.blocks.length
      ? renderBlocks(message.blocks, width)
      : wrap(plain(message.text), width);
    for (const line of body) lines.push(prefix + renderEmoji(line, showEmoji));
    if (i > 0 && i < thread.length - 1) lines.push('  │');
  });
  if (thread.length > 1) lines.push('  └─');
  return lines.join('\n');
}

function renderBlocks(blocks: readonly unknown[], width: number): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    const b = block as Record<string, unknown>;
    switch (b.type) {
      case 'header':
        // Not upper-cased: that turns `:white_check_mark:` and `13s` into `:WHITE_CHECK_MARK:`, `13S`.
        out.push(`■ ${textOf(b.text)}`);
        break;
      case 'section':
        if (b.text) out.push(...wrap(plain(textOf(b.text)), width));
        if (Array.isArray(b.fields))
          out.push(...b.fields.map((f) => `  ${plain(textOf(f)).replace(/\n/g, ' ')}`));
        break;
      case 'context':
        out.push(
          `  · ${(Array.isArray(b.elements) ? b.elements : []).map((e) => plain(textOf(e))).join('  ')}`,
        );
        break;
      case 'divider':
        out.push('─'.repeat(Math.min(width, 40)));
        break;
      case 'actions':
        out.push(
          (Array.isArray(b.elements) ? b.elements : [])
            .map((e) => `[ ${textOf((e as Record<string, unknown>).text)} ]`)
            .join(' '),
        );
        break;
      default:
        out.push(`[${String(b.type)}]`);
    }
  }
  return out;
}

function textOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && typeof (value as { text?: unknown }).text === 'string') {
    return (value as { text: string }).text;
  }
  return '';
}

/** Strips mrkdwn markers and decodes Slack's three HTML entities; links keep their label. */
function plain(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/(^|\s)[*_~]([^*_~\n]+)[*_~](?=\s|$|[.,:;])/g, '$1$2')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ')) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    out.push(line);
  }
  return out;
}
