import type { Notifier } from '../notify/notifier.js';
import { scrubSecrets } from '../log/index.js';

/**
 * Alerts of a run started from a terminal: printed where the operator is looking. `brief` (marshal run)
 * prints the title only: the failure the alert's text repeats was printed by the progress lines.
 */
export class TerminalNotifier implements Notifier {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly options: { brief?: boolean } = {},
  ) {}

  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void> {
    const head = `🚨 ${input.title} (alert for ${input.to.join(', ') || 'the operators'})`;
    this.write(this.options.brief ? head : `${head}\n${scrubSecrets(input.text)}`);
    return Promise.resolve();
  }
}
