/**
 * The Block Kit limits Slack enforces on messages, checked the way Slack reports them: error
 * `invalid_blocks` with `response_metadata.messages` like `[ERROR] no more than 50 items allowed
 * [json-pointer:/blocks]`; `invalid_blocks_format` when `blocks` is not a JSON array; `msg_too_long`
 * for top-level text past 40,000 characters. Only the blocks Marshal uses are checked in depth.
 */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  textChars: 40_000,
  sectionTextChars: 3_000,
  sectionFields: 10,
  sectionFieldChars: 2_000,
  headerChars: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonTextChars: 75,
  buttonValueChars: 2_000,
  actionIdChars: 255,
  blockIdChars: 255,
} as const;

const KNOWN_BLOCKS = new Set([
  'section',
  'header',
  'divider',
  'context',
  'actions',
  'image',
  'rich_text',
  'markdown',
  'input',
  'file',
  'video',
]);

export type BlocksVerdict =
  { ok: true; blocks: unknown[] } | { ok: false; error: string; messages: string[] };

export function checkBlocks(raw: unknown): BlocksVerdict {
  let blocks = raw;
  if (typeof blocks === 'string') {
    try {
      blocks = JSON.parse(blocks) as unknown;
    } catch {
      return {
        ok: false,
        error: 'invalid_blocks_format',
        messages: ['[ERROR] blocks is not valid JSON [json-pointer:/blocks]'],
      };
    }
  }
  if (!Array.isArray(blocks)) {
    return {
      ok: false,
      error: 'invalid_blocks_format',
      messages: ['[ERROR] must be an array [json-pointer:/blocks]'],
    };
  }
  const messages: string[] = [];
  if (blocks.length > SLACK_LIMITS.blocksPerMessage) {
    messages.push(
      `[ERROR] no more than ${SLACK_LIMITS.blocksPerMessage} items allowed [json-pointer:/blocks]`,
    );
  }
  blocks.forEach((block, i) => checkBlock(block, `/blocks/${i}`, messages));
  return messages.length ? { ok: false, error: 'invalid_blocks', messages } : { ok: true, blocks };
}

function checkBlock(block: unknown, at: string, out: string[]): void {
  if (!isObject(block) || typeof block.type !== 'string') {
    out.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (!KNOWN_BLOCKS.has(block.type))
    out.push(`[ERROR] unsupported type: ${block.type} [json-pointer:${at}/type]`);
  if (typeof block.block_id === 'string')
    maxLen(block.block_id, SLACK_LIMITS.blockIdChars, `${at}/block_id`, out);
  switch (block.type) {
    case 'section':
      if (block.text === undefined && block.fields === undefined)
        out.push(`[ERROR] must provide either text or fields [json-pointer:${at}]`);
      if (block.text !== undefined) checkText(block.text, SLACK_LIMITS.sectionTextChars, `${at}/text`, out);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) out.push(`[ERROR] must be an array [json-pointer:${at}/fields]`);
        else {
          if (block.fields.length > SLACK_LIMITS.sectionFields)
            out.push(
              `[ERROR] no more than ${SLACK_LIMITS.sectionFields} items allowed [json-pointer:${at}/fields]`,
            );
          block.fields.forEach((f, j) =>
            checkText(f, SLACK_LIMITS.sectionFieldChars, `${at}/fields/${j}`, out),
          );
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`, out);
      break;
    case 'header':
      checkText(block.text, SLACK_LIMITS.headerChars, `${at}/text`, out, 'plain_text');
      break;
    case 'context':
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        out.push(`[ERROR] must provide at least 1 element [json-pointer:${at}/elements]`);
      else {
        if (block.elements.length > SLACK_LIMITS.contextElements)
          out.push(
            `[ERROR] no more than ${SLACK_LIMITS.contextElements} items allowed [json-pointer:${at}/elements]`,
          );
        block.elements.forEach((e, j) =>
          checkText(e, SLACK_LIMITS.sectionTextChars, `${at}/elements/${j}`, out),
        );
      }
      break;
    case 'actions':
      if (!Array.isArray(block.elements) || block.elements.length === 0)
        out.push(`[ERROR] must provide at least 1 element [json-pointer:${at}/elements]`);
      else {
        if (block.elements.length > SLACK_LIMITS.actionsElements)
          out.push(
            `[ERROR] no more than ${SLACK_LIMITS.actionsElements} items allowed [json-pointer:${at}/elements]`,
          );
        block.elements.forEach((e, j) => checkElement(e, `${at}/elements/${j}`, out));
      }
      break;
    default:
      break;
  }
}

function checkElement(element: unknown, at: string, out: string[]): void {
  if (!isObject(element) || typeof element.type !== 'string') {
    out.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    return;
  }
  if (element.type !== 'button') return;
  checkText(element.text, SLACK_LIMITS.buttonTextChars, `${at}/text`, out, 'plain_text');
  if (typeof element.action_id === 'string')
    maxLen(element.action_id, SLACK_LIMITS.actionIdChars, `${at}/action_id`, out);
  if (typeof element.value === 'string')
    maxLen(element.value, SLACK_LIMITS.buttonValueChars, `${at}/value`, out);
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
    out.push(`[ERROR] must be one of: primary, danger [json-pointer:${at}/style]`);
  }
}

function checkText(text: unknown, max: number, at: string, out: string[], only?: 'plain_text'): void {
  if (
    !isObject(text) ||
    typeof text.text !== 'string' ||
    (text.type !== 'plain_text' && text.type !== 'mrkdwn')
  ) {
    out.push(`[ERROR] must be a text object with type plain_text or mrkdwn [json-pointer:${at}]`);
    return;
  }
  if (only && text.type !== only) out.push(`[ERROR] must be ${only} [json-pointer:${at}/type]`);
  if (text.text.length === 0) out.push(`[ERROR] must be more than 0 characters [json-pointer:${at}/text]`);
  maxLen(text.text, max, `${at}/text`, out);
}

function maxLen(value: string, max: number, at: string, out: string[]): void {
  if (value.length > max) out.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}]`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
