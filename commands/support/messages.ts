import { randomBytes } from 'node:crypto';
import { isMarshalError } from '../../src/errors/index.js';
import type { Logger } from '../../src/log/index.js';
import { scrubSecrets } from '../../src/log/index.js';
import { renderEphemeralError, renderErrorForUser, type SlackMessage } from '../../src/slack/blocks/index.js';
import type { CommandInputError } from '../parse/command-input-error.js';

/** The reply to a command Marshal refuses: which part, what was wrong, what is allowed, the usage line. */
export function usageMessage(command: string, err: CommandInputError): SlackMessage {
  return renderEphemeralError({
    title: `${command} was not run`,
    problem: `${err.part}: ${err.problem}.`,
    field: err.part,
    allowed: err.allowed,
    ...(err.usage ? { usage: err.usage } : {}),
  });
}

/**
 * The reply when something fails after the command was accepted. Marshal's own errors are written for
 * operators and are shown; anything else is logged with a reference and shown only as that reference
 * (no stack traces, nothing that might carry a secret).
 */
export function failureMessage(err: unknown, log: Logger, title: string): SlackMessage {
  if (isMarshalError(err)) return renderErrorForUser(err, title);
  const ref = randomBytes(4).toString('hex');
  log.error(
    { ref, err: err instanceof Error ? { name: err.name, message: scrubSecrets(err.message) } : String(err) },
    `${title}: internal error`,
  );
  return renderEphemeralError({
    title,
    problem: `Something went wrong inside Marshal (reference ${ref}); the details are in its log.`,
  });
}
