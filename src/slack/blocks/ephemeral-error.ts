import { isMarshalError } from '../../errors/index.js';
import { ValidationError } from '../../errors/index.js';
import { scrubSecrets } from '../../log/index.js';
import { mrkdwn, type Block, type SlackMessage } from './block-kit.js';
import { fitMessage, truncate } from './limits.js';
import { escapeMrkdwn } from './mrkdwn.js';

export interface ErrorView {
  /** One line: what failed, e.g. "Cannot start config push". */
  title: string;
  /** What was wrong, in the operator's terms. */
  problem: string;
  /** Which part of the input was wrong, e.g. `--batches` or `hosts`. */
  field?: string;
  /** What is allowed instead. */
  allowed?: string;
  /** How the command is typed, e.g. `/config push <bundle> --hosts <selector>`. */
  usage?: string;
}

/** The message only the person who typed the command sees, saying what to fix. */
export function renderEphemeralError(view: ErrorView): SlackMessage {
  const blocks: Block[] = [
    {
      type: 'section',
      text: mrkdwn(`:warning: *${escapeMrkdwn(view.title)}*\n${escapeMrkdwn(scrubSecrets(view.problem))}`),
    },
  ];
  const fields = [];
  if (view.field) fields.push(mrkdwn(`*Wrong part*\n\`${escapeMrkdwn(truncate(view.field, 200))}\``));
  if (view.allowed) fields.push(mrkdwn(`*Allowed*\n${escapeMrkdwn(view.allowed)}`));
  if (fields.length) blocks.push({ type: 'section', fields });
  if (view.usage)
    blocks.push({ type: 'context', elements: [mrkdwn(`Usage: \`${escapeMrkdwn(view.usage)}\``)] });
  const text = `${view.title}: ${scrubSecrets(view.problem)}`;
  return fitMessage({ text, blocks });
}

/** A MarshalError as an ephemeral: validation issues name their field; other errors their code. */
export function renderErrorForUser(error: unknown, title: string, usage?: string): SlackMessage {
  if (error instanceof ValidationError && error.issues.length) {
    const first = error.issues[0]!;
    const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problems)` : '';
    return renderEphemeralError({
      title,
      problem: `${first.message}${more}`,
      ...(first.path ? { field: first.path } : {}),
      ...(usage ? { usage } : {}),
    });
  }
  if (isMarshalError(error)) {
    return renderEphemeralError({
      title,
      problem: `${error.message} (${error.code})`,
      ...(usage ? { usage } : {}),
    });
  }
  return renderEphemeralError({
    title,
    problem: 'Something went wrong inside Marshal; the details are in its log.',
    ...(usage ? { usage } : {}),
  });
}
