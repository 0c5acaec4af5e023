/** A file shared in a message, as `files.completeUploadExternal` shares it. */
export interface SharedFile {
  id: string;
  name: string;
  title: string;
  mimetype: string;
  size: number;
}

/** A message as a user sees it now: latest text and blocks after every edit. */
export interface StoredMessage {
  channel: string;
  ts: string;
  /** Set on replies: the parent's ts. */
  threadTs?: string;
  user: string;
  botId?: string;
  text: string;
  blocks: unknown[];
  /** Files shared with the message (uploads completed into a channel or thread). */
  files?: SharedFile[];
  /** How many times `chat.update` changed it. */
  edits: number;
  editedAt?: string;
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  messageTs: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
}

/**
 * Channel → ts → message, in posting order. Slack's `ts` is seconds and microseconds since the epoch
 * and unique per channel; ours are unique for the whole stand-in and strictly increasing.
 */
export class MessageStore {
  private readonly byChannel = new Map<string, Map<string, StoredMessage>>();
  private readonly ephemerals: StoredEphemeral[] = [];
  /** Each user's App Home view as last published (views.publish), with how many times it was. */
  readonly homes = new Map<string, { view: Record<string, unknown>; publishes: number }>();
  private lastMicros = 0;

  constructor(private readonly now: () => number = Date.now) {}

  nextTs(): string {
    const micros = Math.max(this.now() * 1000, this.lastMicros + 1);
    this.lastMicros = micros;
    const seconds = Math.floor(micros / 1_000_000);
    const rest = String(micros % 1_000_000).padStart(6, '0');
    return `${seconds}.${rest}`;
  }

  add(message: Omit<StoredMessage, 'ts' | 'edits'>): StoredMessage {
    const stored: StoredMessage = { ...message, ts: this.nextTs(), edits: 0 };
    let channel = this.byChannel.get(message.channel);
    if (!channel) {
      channel = new Map<string, StoredMessage>();
      this.byChannel.set(message.channel, channel);
    }
    channel.set(stored.ts, stored);
    return stored;
  }

  get(channel: string, ts: string): StoredMessage | undefined {
    return this.byChannel.get(channel)?.get(ts);
  }

  edit(
    channel: string,
    ts: string,
    change: { text?: string; blocks?: unknown[] },
  ): StoredMessage | undefined {
    const message = this.get(channel, ts);
    if (!message) return undefined;
    // Slack keeps the previous blocks when `blocks` is left out, and the previous text when `text` is.
    if (change.text !== undefined) message.text = change.text;
    if (change.blocks !== undefined) message.blocks = change.blocks;
    message.edits += 1;
    message.editedAt = this.nextTs();
    return message;
  }

  addEphemeral(ephemeral: Omit<StoredEphemeral, 'messageTs'>): StoredEphemeral {
    const stored = { ...ephemeral, messageTs: this.nextTs() };
    this.ephemerals.push(stored);
    return stored;
  }

  /** Top-level messages of a channel (thread replies excluded), oldest first. */
  topLevel(channel: string): StoredMessage[] {
    return [...(this.byChannel.get(channel)?.values() ?? [])].filter((m) => m.threadTs === undefined);
  }

  /** The parent followed by its replies, oldest first; empty when the parent is unknown. */
  thread(channel: string, ts: string): StoredMessage[] {
    const parent = this.get(channel, ts);
    if (!parent) return [];
    const replies = [...(this.byChannel.get(channel)?.values() ?? [])].filter((m) => m.threadTs === ts);
    return [parent, ...replies];
  }

  ephemeralsFor(channel: string, user?: string): StoredEphemeral[] {
    return this.ephemerals.filter((e) => e.channel === channel && (user === undefined || e.user === user));
  }
}
