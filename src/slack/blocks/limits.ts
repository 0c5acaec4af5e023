import type { Block, SlackMessage, TextObject } from './block-kit.js';

/** Slack's documented Block Kit limits for messages (docs.slack.dev/reference/block-kit). */
export const BLOCK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3_000,
  sectionFields: 10,
  sectionField: 2_000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  /** Fallback `text`: Slack truncates past 40,000; notifications show far less, so keep it short. */
  fallbackText: 3_000,
} as const;

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters, marking the cut. Never splits a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
}

/**
 * "web-01, web-02 … and 412 more": as many items as fit in `maxChars` (and at most `maxItems`), then a
 * count of the rest, so a 1,000-host list stays one readable line.
 */
export function summariseList(
  items: readonly string[],
  options: { maxItems?: number; maxChars?: number } = {},
): string {
  const maxItems = options.maxItems ?? 10;
  const maxChars = options.maxChars ?? 300;
  if (items.length === 0) return '';
  const shown: string[] = [];
  let length = 0;
  for (const item of items) {
    if (shown.length >= maxItems) break;
    const restAfter = items.length - shown.length - 1;
    const tail = restAfter > 0 ? ` … and ${restAfter} more`.length : 0;
    const next = length + (shown.length ? 2 : 0) + item.length;
    if (next + tail > maxChars && shown.length > 0) break;
    shown.push(truncate(item, Math.max(8, maxChars - tail - length)));
    length = next;
  }
  const rest = items.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} … and ${rest} more` : shown.join(', ');
}

/**
 * The last guard before a message leaves: every length and count within Slack's limits, whatever a
 * renderer produced. Renderers summarise on purpose; this only makes sure Slack never says `invalid_blocks`.
 */
export function fitMessage(message: SlackMessage): SlackMessage {
  let blocks = message.blocks.map(fitBlock);
  if (blocks.length > BLOCK_LIMITS.blocksPerMessage) {
    const dropped = blocks.length - BLOCK_LIMITS.blocksPerMessage + 1;
    blocks = [
      ...blocks.slice(0, BLOCK_LIMITS.blocksPerMessage - 1),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `… ${dropped} more blocks left out` }] },
    ];
  }
  return { text: truncate(message.text, BLOCK_LIMITS.fallbackText), blocks };
}

function fitBlock(block: Block): Block {
  switch (block.type) {
    case 'header':
      return { ...block, text: { ...block.text, text: truncate(block.text.text, BLOCK_LIMITS.headerText) } };
    case 'section':
      return {
        ...block,
        ...(block.text ? { text: fitText(block.text, BLOCK_LIMITS.sectionText) } : {}),
        ...(block.fields
          ? {
              fields: block.fields
                .slice(0, BLOCK_LIMITS.sectionFields)
                .map((f) => fitText(f, BLOCK_LIMITS.sectionField)),
            }
          : {}),
      };
    case 'context':
      return {
        ...block,
        elements: block.elements
          .slice(0, BLOCK_LIMITS.contextElements)
          .map((e) => fitText(e, BLOCK_LIMITS.sectionText)),
      };
    case 'actions':
      return {
        ...block,
        elements: block.elements.slice(0, BLOCK_LIMITS.actionsElements).map((b) => ({
          ...b,
          text: { ...b.text, text: truncate(b.text.text, BLOCK_LIMITS.buttonText) },
        })),
      };
    default:
      return block;
  }
}

function fitText<T extends TextObject>(text: T, max: number): T {
  const body =
    text.type === 'mrkdwn' ? closeCodeBlock(truncate(text.text, max - 4)) : truncate(text.text, max);
  return { ...text, text: body.length ? body : ' ' };
}

/** A cut inside a ``` block would swallow the rest of the message's formatting; close it. */
function closeCodeBlock(text: string): string {
  return (text.match(/```/g)?.length ?? 0) % 2 === 1 ? `${text}\n\`\`\`` : text;
}
