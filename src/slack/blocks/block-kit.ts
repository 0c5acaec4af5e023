/**
 * The subset of Block Kit Marshal posts, typed narrowly so a renderer cannot produce a block Slack
 * would refuse for its shape. Limits (lengths, counts) are enforced by `fitMessage` in limits.ts.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type TextObject = PlainText | Mrkdwn;

export interface ConfirmDialog {
  title: PlainText;
  text: Mrkdwn;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface Button {
  type: 'button';
  text: PlainText;
  action_id: string;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
}
export interface SectionBlock {
  type: 'section';
  block_id?: string;
  text?: TextObject;
  fields?: TextObject[];
}
export interface ContextBlock {
  type: 'context';
  elements: TextObject[];
}
export interface DividerBlock {
  type: 'divider';
}
export interface ActionsBlock {
  type: 'actions';
  block_id?: string;
  elements: Button[];
}

export type Block = HeaderBlock | SectionBlock | ContextBlock | DividerBlock | ActionsBlock;

/** What `chat.postMessage` / `chat.update` / `chat.postEphemeral` are given: fallback text and blocks. */
export interface SlackMessage {
  /** Notification and screen-reader text; Slack shows it where blocks cannot be drawn. */
  text: string;
  blocks: Block[];
}

export const plain = (text: string): PlainText => ({ type: 'plain_text', text, emoji: true });
export const mrkdwn = (text: string): Mrkdwn => ({ type: 'mrkdwn', text });
