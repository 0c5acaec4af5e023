import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import type { SlackDeps } from '../../src/slack/app/slack-deps.js';
import { CommandInputError } from '../parse/command-input-error.js';
import { failureMessage, usageMessage } from './messages.js';
import type { CommandContext, SlashCommand } from './slash-command.js';

type Args = SlackCommandMiddlewareArgs & AllMiddlewareArgs;

/**
 * The Bolt listener for a slash command. Parsing is pure and fast, so a refusal goes back in the ack
 * itself (one round trip, nothing to post); accepted commands are acknowledged before any I/O, then
 * run. Every outcome is answered: no stack traces, never silence.
 */
export function commandListener<P>(command: SlashCommand<P>, deps: SlackDeps): (args: Args) => Promise<void> {
  return async ({ command: body, ack, client, respond }) => {
    const log = deps.logger.child({ command: command.name, user: body.user_id, trigger: body.trigger_id });
    let parsed: P;
    try {
      parsed = command.parse(body.text ?? '');
    } catch (err) {
      const message =
        err instanceof CommandInputError
          ? usageMessage(command.name, err)
          : failureMessage(err, log, `${command.name} was not run`);
      await ack({ response_type: 'ephemeral', ...message });
      return;
    }
    await ack();

    const ctx: CommandContext = {
      user: body.user_id,
      channel: body.channel_id,
      triggerId: body.trigger_id,
      typed: `${command.name} ${body.text ?? ''}`.trim(),
      deps,
      reply: async (reply) => {
        const message = typeof reply === 'string' ? { text: reply } : reply;
        try {
          await client.chat.postEphemeral({ channel: body.channel_id, user: body.user_id, ...message });
        } catch (err) {
          // postEphemeral needs the bot in the channel; the response_url works everywhere for 30 minutes.
          log.debug(
            { err: err instanceof Error ? err.message : String(err) },
            'postEphemeral failed, using response_url',
          );
          await respond({ response_type: 'ephemeral', ...message });
        }
      },
      announce: async (text) => {
        try {
          const posted = await client.chat.postMessage({ channel: body.channel_id, text });
          if (!posted.ts) return undefined;
          const link = await client.chat.getPermalink({ channel: body.channel_id, message_ts: posted.ts });
          return link.permalink;
        } catch (err) {
          log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'could not post to the channel',
          );
          return undefined;
        }
      },
    };
    try {
      await command.run(parsed, ctx);
    } catch (err) {
      await ctx
        .reply(failureMessage(err, log, `${command.name} did not complete`))
        .catch((replyErr: unknown) =>
          log.error(
            { err: replyErr instanceof Error ? replyErr.message : String(replyErr) },
            'could not tell the user',
          ),
        );
    }
  };
}
