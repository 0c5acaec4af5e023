import { createHash, timingSafeEqual } from 'node:crypto';
import type { CliAccess } from '../config/marshal-config.js';
import { NotAuthorizedError } from '../slack/auth/not-authorized-error.js';

export interface CliIdentityInput {
  /** `--as <Slack user id>`: then `token` must prove it. */
  as?: string | undefined;
  /** MARSHAL_CLI_TOKEN. */
  token?: string | undefined;
  /** The OS user running the command. */
  osUser: string;
}

/**
 * Who a terminal acts as: the Slack user id the access lists name. `--as` needs the token whose sha256
 * the config lists for that user; otherwise the OS user must be mapped in `access.cli.users`. Anything
 * else is refused, naming what to configure: a terminal never acts as whoever someone types.
 */
export function resolveCliIdentity(cli: CliAccess, input: CliIdentityInput): string {
  if (input.as !== undefined) {
    const expected = cli.tokens[input.as];
    if (!expected)
      throw refuse(
        input,
        `--as ${input.as}: access.cli.tokens in Marshal's config lists no token for that user`,
      );
    if (!input.token) throw refuse(input, `--as ${input.as}: set MARSHAL_CLI_TOKEN to that user's token`);
    const given = createHash('sha256').update(input.token).digest();
    if (!timingSafeEqual(given, Buffer.from(expected, 'hex')))
      throw refuse(input, `--as ${input.as}: MARSHAL_CLI_TOKEN is not that user's token`);
    return input.as;
  }
  const mapped = cli.users[input.osUser];
  if (!mapped)
    throw refuse(
      input,
      `OS user ${input.osUser} has no Marshal identity: map it in access.cli.users of Marshal's config, or use --as <Slack user id> with MARSHAL_CLI_TOKEN`,
    );
  return mapped;
}

function refuse(input: CliIdentityInput, message: string): NotAuthorizedError {
  return new NotAuthorizedError(message, {
    user: input.as ?? `os:${input.osUser}`,
    workflow: '*',
    action: 'identify',
  });
}
