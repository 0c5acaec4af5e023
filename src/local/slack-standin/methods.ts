import { checkBlocks, SLACK_LIMITS } from './block-limits.js';
import type { FileUploads } from './file-uploads.js';
import type { MessageStore, SharedFile } from './message-store.js';
import type { StandinChannel, StandinSettings } from './options.js';

/** A Web API response body: always JSON with `ok`, as Slack's. */
export type SlackBody = { ok: boolean; error?: string; [key: string]: unknown };

export interface Workspace {
  settings: StandinSettings;
  store: MessageStore;
  uploads: FileUploads;
  /** Where clients POST a file's bytes: `<uploadBase><file id>`. */
  uploadBase: () => string;
}

type Handler = (ws: Workspace, args: Record<string, unknown>) => SlackBody;

const fail = (error: string, extra: Record<string, unknown> = {}): SlackBody => ({
  ok: false,
  error,
  ...extra,
});

/** Slack accepts a conversation id, or a name with or without `#`; replies always carry the id. */
function findChannel(ws: Workspace, value: unknown): StandinChannel | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const name = value.replace(/^#/, '');
  return ws.settings.channels.find((c) => c.id === value || c.name === name);
}

interface Content {
  text?: string;
  blocks?: unknown[];
}

/** Checks text and blocks as Slack does; returns an error body or the content to store. */
function readContent(args: Record<string, unknown>, required: boolean): SlackBody | Content {
  const content: Content = {};
  if (args.text !== undefined) content.text = scalar(args.text);
  if (args.blocks !== undefined) {
    const verdict = checkBlocks(args.blocks);
    if (!verdict.ok) return fail(verdict.error, { response_metadata: { messages: verdict.messages } });
    content.blocks = verdict.blocks;
  }
  if (content.text !== undefined && content.text.length > SLACK_LIMITS.textChars) return fail('msg_too_long');
  const empty = !content.text && (!content.blocks || content.blocks.length === 0) && !args.attachments;
  if (required && empty) return fail('no_text');
  return content;
}

/** Form bodies give strings; JSON bodies may give numbers or booleans, which Slack reads as text. */
function scalar(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

const isError = (value: SlackBody | Content): value is SlackBody => 'ok' in value;

function messageJson(
  ws: Workspace,
  m: { text: string; blocks: unknown[]; ts: string; threadTs?: string; files?: SharedFile[] },
) {
  return {
    type: 'message',
    subtype: 'bot_message',
    text: m.text,
    user: ws.settings.botUserId,
    bot_id: ws.settings.botId,
    ts: m.ts,
    team: ws.settings.teamId,
    blocks: m.blocks,
    ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
    ...(m.files ? { files: m.files } : {}),
  };
}

/** `files` of files.completeUploadExternal: a JSON array of `{ id, title? }` (form bodies give a string). */
function readFileList(value: unknown): { id: string; title?: string }[] | undefined {
  let list: unknown = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const files: { id: string; title?: string }[] = [];
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) return undefined;
    const { id, title } = item as { id?: unknown; title?: unknown };
    if (typeof id !== 'string') return undefined;
    files.push({ id, ...(typeof title === 'string' ? { title } : {}) });
  }
  return files;
}

export const METHODS: Readonly<Record<string, Handler>> = {
  'auth.test': (ws) => ({
    ok: true,
    url: `https://${ws.settings.teamDomain}.slack.com/`,
    team: 'Marshal Local',
    user: 'marshal',
    team_id: ws.settings.teamId,
    user_id: ws.settings.botUserId,
    bot_id: ws.settings.botId,
    is_enterprise_install: false,
  }),

  'chat.postMessage': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    if (channel.isArchived) return fail('is_archived');
    const content = readContent(args, true);
    if (isError(content)) return content;
    let threadTs: string | undefined;
    if (args.thread_ts !== undefined && args.thread_ts !== '') {
      const parent = ws.store.get(channel.id, scalar(args.thread_ts));
      // Slack files a reply to a reply under the same thread; a reply to nothing becomes a plain message.
      threadTs = parent ? (parent.threadTs ?? parent.ts) : undefined;
    }
    const stored = ws.store.add({
      channel: channel.id,
      user: ws.settings.botUserId,
      botId: ws.settings.botId,
      text: content.text ?? '',
      blocks: content.blocks ?? [],
      ...(threadTs ? { threadTs } : {}),
    });
    return { ok: true, channel: channel.id, ts: stored.ts, message: messageJson(ws, stored) };
  },

  'chat.update': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    if (typeof args.ts !== 'string' || !ws.store.get(channel.id, args.ts)) return fail('message_not_found');
    const content = readContent(args, false);
    if (isError(content)) return content;
    const edited = ws.store.edit(channel.id, args.ts, content)!;
    return {
      ok: true,
      channel: channel.id,
      ts: edited.ts,
      text: edited.text,
      message: messageJson(ws, edited),
    };
  },

  'chat.postEphemeral': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    const user = ws.settings.users.find((u) => u.id === args.user);
    if (!user) return fail('user_not_found');
    const content = readContent(args, true);
    if (isError(content)) return content;
    const stored = ws.store.addEphemeral({
      channel: channel.id,
      user: user.id,
      text: content.text ?? '',
      blocks: content.blocks ?? [],
      ...(typeof args.thread_ts === 'string' ? { threadTs: args.thread_ts } : {}),
    });
    return { ok: true, message_ts: stored.messageTs };
  },

  'files.getUploadURLExternal': (ws, args) => {
    const length = Number(args.length);
    if (typeof args.filename !== 'string' || args.filename === '') return fail('invalid_arguments');
    if (!Number.isInteger(length) || length <= 0) return fail('invalid_arguments');
    // Slack documents `alt_txt`; @slack/web-api sends `alt_text`. Both are read.
    const alt = args.alt_txt ?? args.alt_text;
    const altText = typeof alt === 'string' ? alt : undefined;
    const file = ws.uploads.reserve(args.filename, length, altText);
    return { ok: true, upload_url: `${ws.uploadBase()}${file.id}`, file_id: file.id };
  },

  'files.completeUploadExternal': (ws, args) => {
    const list = readFileList(args.files);
    if (!list) return fail('invalid_arguments');
    const shared: SharedFile[] = [];
    for (const { id, title } of list) {
      const file = ws.uploads.get(id);
      // Slack refuses to complete a file whose bytes never arrived.
      if (!file?.bytes) return fail('file_not_found');
      if (title) file.title = title;
      shared.push({ id, name: file.name, title: file.title, mimetype: file.mimetype, size: file.length });
    }
    if (args.channel_id === undefined || args.channel_id === '') return { ok: true, files: shared };
    const channel = findChannel(ws, args.channel_id);
    if (!channel) return fail('channel_not_found');
    if (channel.isArchived) return fail('is_archived');
    let threadTs: string | undefined;
    if (args.thread_ts !== undefined && args.thread_ts !== '') {
      const parent = ws.store.get(channel.id, scalar(args.thread_ts));
      threadTs = parent ? (parent.threadTs ?? parent.ts) : undefined;
    }
    ws.store.add({
      channel: channel.id,
      user: ws.settings.botUserId,
      botId: ws.settings.botId,
      text: typeof args.initial_comment === 'string' ? args.initial_comment : '',
      blocks: [],
      files: shared,
      ...(threadTs ? { threadTs } : {}),
    });
    return { ok: true, files: shared };
  },

  'chat.getPermalink': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    const message =
      typeof args.message_ts === 'string' ? ws.store.get(channel.id, args.message_ts) : undefined;
    if (!message) return fail('message_not_found');
    const base = `https://${ws.settings.teamDomain}.slack.com/archives/${channel.id}/p${message.ts.replace('.', '')}`;
    const permalink = message.threadTs ? `${base}?thread_ts=${message.threadTs}&cid=${channel.id}` : base;
    return { ok: true, channel: channel.id, permalink };
  },

  'users.info': (ws, args) => {
    const user = ws.settings.users.find((u) => u.id === args.user);
    if (!user) return fail('user_not_found');
    return {
      ok: true,
      user: {
        id: user.id,
        team_id: ws.settings.teamId,
        name: user.name,
        deleted: user.deleted,
        real_name: user.realName ?? user.name,
        tz: user.tz,
        is_admin: user.isAdmin,
        is_owner: false,
        is_bot: user.isBot,
        is_app_user: false,
        profile: { real_name: user.realName ?? user.name, display_name: user.name, team: ws.settings.teamId },
      },
    };
  },

  'usergroups.users.list': (ws, args) => {
    const group = ws.settings.usergroups.find((g) => g.id === args.usergroup);
    if (!group) return fail('no_such_subteam');
    const includeDisabled = args.include_disabled === true || args.include_disabled === 'true';
    if (group.disabled && !includeDisabled) return fail('no_such_subteam');
    return { ok: true, users: [...group.users] };
  },

  'conversations.replies': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    if (typeof args.ts !== 'string') return fail('invalid_arguments');
    const thread = ws.store.thread(channel.id, args.ts);
    if (thread.length === 0) return fail('thread_not_found');
    return { ok: true, messages: thread.map((m) => messageJson(ws, m)), has_more: false };
  },

  'views.publish': (ws, args) => {
    const user = ws.settings.users.find((u) => u.id === args.user_id);
    if (!user) return fail('user_not_found');
    let view: unknown = args.view;
    if (typeof view === 'string') {
      try {
        view = JSON.parse(view) as unknown;
      } catch {
        return fail('invalid_arguments');
      }
    }
    if (!view || typeof view !== 'object') return fail('invalid_arguments');
    const v = view as { type?: unknown; blocks?: unknown };
    if (v.type !== 'home') return fail('invalid_arguments', { detail: 'view.type must be "home"' });
    // A Home tab holds up to 100 blocks, checked as message blocks are.
    const verdict = checkBlocks(v.blocks ?? []);
    if (!verdict.ok) return fail(verdict.error, { response_metadata: { messages: verdict.messages } });
    if (verdict.blocks.length > 100) return fail('invalid_blocks');
    const previous = ws.store.homes.get(user.id);
    const stored = { ...(view as Record<string, unknown>), blocks: verdict.blocks };
    ws.store.homes.set(user.id, { view: stored, publishes: (previous?.publishes ?? 0) + 1 });
    return { ok: true, view: { id: `V${user.id}`, ...stored } };
  },

  'conversations.info': (ws, args) => {
    const channel = findChannel(ws, args.channel);
    if (!channel) return fail('channel_not_found');
    return {
      ok: true,
      channel: {
        id: channel.id,
        name: channel.name,
        is_channel: !channel.isPrivate,
        is_group: false,
        is_im: false,
        is_private: channel.isPrivate,
        is_archived: channel.isArchived,
        is_member: true,
        created: 1_700_000_000,
        name_normalized: channel.name,
      },
    };
  },
};
