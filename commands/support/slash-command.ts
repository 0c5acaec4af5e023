import type { SlackDeps } from '../../src/slack/app/slack-deps.js';
import type { SlackMessage } from '../../src/slack/blocks/index.js';

/** What a command's `run` is given once its text has been parsed and the request acknowledged. */
export interface CommandContext {
  readonly user: string;
  readonly channel: string;
  /** Unique per invocation: the replay guard's key. */
  readonly triggerId: string;
  /** The command as typed, e.g. `/config push nginx to role=web`, kept with the run. */
  readonly typed: string;
  readonly deps: SlackDeps;
  /** An ephemeral message to the user who typed the command: mrkdwn text or a rendered message. */
  reply(message: string | SlackMessage): Promise<void>;
  /** A message everyone in the channel sees; resolves with its permalink (undefined if it could not be posted). */
  announce(text: string): Promise<string | undefined>;
}

/**
 * One slash command: a pure `parse` (throws CommandInputError for bad text) and a `run` that talks to
 * the engine. The listener acknowledges between the two, so Slack always gets its answer in time.
 */
export interface SlashCommand<P> {
  readonly name: `/${string}`;
  parse(text: string): P;
  run(parsed: P, ctx: CommandContext): Promise<void>;
}
