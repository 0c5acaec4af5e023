import { escapeHtml, Html, html } from './html.js';

/** The few emoji Marshal's messages use, as the glyphs Slack shows; others stay as their words. */
const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  x: '❌',
  warning: '⚠️',
  raised_hand: '✋',
  hourglass_flowing_sand: '⏳',
  arrows_counterclockwise: '🔄',
  octagonal_sign: '🛑',
  double_vertical_bar: '⏸️',
  arrow_forward: '▶️',
  test_tube: '🧪',
  information_source: 'ℹ️',
  no_entry: '⛔',
  rocket: '🚀',
  ballot_box_with_check: '☑️',
  large_green_circle: '🟢',
  red_circle: '🔴',
  leftwards_arrow_with_hook: '↩️',
  rotating_light: '🚨',
  lock: '🔒',
  mag: '🔍',
  bird: '🐦',
  heavy_check_mark: '✔️',
  heavy_multiplication_x: '✖️',
  fast_forward: '⏩',
  stopwatch: '⏱️',
};

/**
 * Slack mrkdwn as HTML: escaped first, then bold, italics, strike, code, links, mentions, dates and
 * emoji, as a Slack client shows them. Mentions show the id (the console does not look names up).
 */
export function mrkdwnToHtml(text: string): Html {
  let out = escapeHtml(text);
  out = out.replace(/```([\s\S]*?)```/g, (_m, code: string) => `<pre>${code}</pre>`);
  out = out.replace(/`([^`\n]+)`/g, (_m, code: string) => `<code>${code}</code>`);
  out = out.replace(/&lt;@([UW][A-Z0-9]+)&gt;/g, '<span class="mention">@$1</span>');
  out = out.replace(/&lt;!subteam\^([A-Z0-9]+)(\|[^&]*)?&gt;/g, '<span class="mention">@$1</span>');
  out = out.replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, '$1');
  out = out.replace(
    /&lt;(https?:\/\/[^|&]+)\|([^&]+)&gt;/g,
    (_m, url: string, label: string) => `<a href="${url}" rel="noreferrer">${label}</a>`,
  );
  out = out.replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>');
  out = out.replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>');
  out = out.replace(/(^|[\s(])~([^~\n]+)~/g, '$1<s>$2</s>');
  out = out.replace(/:([a-z0-9_+-]+):/g, (m, name: string) => EMOJI[name] ?? m);
  return new Html(out.replace(/\n/g, '<br>'));
}

interface TextObject {
  type?: string;
  text?: string;
}
interface BlockLike {
  type?: string;
  text?: TextObject;
  fields?: TextObject[];
  elements?: (TextObject & { action_id?: string; style?: string })[];
}

function textOf(t: TextObject | undefined): Html {
  if (!t?.text) return new Html('');
  return t.type === 'plain_text' ? html`${t.text}` : mrkdwnToHtml(t.text);
}

/** One message's blocks (or its text when it has none) as a Slack client lays them out. */
export function blocksToHtml(message: { text: string; blocks: unknown[] }): Html {
  const blocks = message.blocks as BlockLike[];
  if (blocks.length === 0) return html`<div class="msg-text">${mrkdwnToHtml(message.text)}</div>`;
  return html`${blocks.map((b) => {
    switch (b.type) {
      case 'header':
        return html`<div class="b-header">${textOf(b.text)}</div>`;
      case 'section':
        return html`<div class="b-section">
          ${b.text ? html`<div>${textOf(b.text)}</div>` : ''}${
            b.fields?.length
              ? html`<div class="b-fields">${b.fields.map((f) => html`<div>${textOf(f)}</div>`)}</div>`
              : ''
          }
        </div>`;
      case 'context':
        return html`<div class="b-context">${(b.elements ?? []).map((e) => textOf(e))}</div>`;
      case 'divider':
        return html`<hr />`;
      case 'actions':
        return html`<div class="b-actions">
          ${(b.elements ?? []).map(
            (e) =>
              html`<span class="b-button ${e.style ?? ''}"
                >${textOf((e as { text?: TextObject }).text)}</span
              >`,
          )}
        </div>`;
      default:
        return b.text ? html`<div>${textOf(b.text)}</div>` : '';
    }
  })}`;
}
