import type { Notifier } from '../notify/notifier.js';
import { scrubSecrets } from '../log/index.js';

/** Alerts of a run started from a terminal: printed where the operator is looking. */
export class TerminalNotifier implements Notifier {
  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void> {
    this.write(
      `🚨 ${input.title} (for ${input.to.join(', ') || 'the operators'})\n${scrubSecrets(input.text)}`,
    );
    return Promise.resolve();
  }

  note(input: { runId: string; title: string; text: string }): Promise<void> {
    this.write(`ℹ️  ${input.title}\n${scrubSecrets(input.text)}`);
    return Promise.resolve();
  }
}
