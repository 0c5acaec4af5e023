import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notifier, RunImage } from '../notify/notifier.js';
import { scrubSecrets } from '../log/index.js';

/**
 * Alerts of a run started from a terminal: printed where the operator is looking. Images cannot be
 * shown in a terminal, so they are saved as PNG files and their path printed.
 */
export class TerminalNotifier implements Notifier {
  constructor(
    private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
    private readonly imageDir: string = join(tmpdir(), 'marshal-images'),
  ) {}

  alert(input: { runId: string; to: readonly string[]; title: string; text: string }): Promise<void> {
    this.write(
      `🚨 ${input.title} (for ${input.to.join(', ') || 'the operators'})\n${scrubSecrets(input.text)}`,
    );
    return Promise.resolve();
  }

  async image(input: RunImage): Promise<void> {
    await mkdir(this.imageDir, { recursive: true });
    const slug = input.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'image';
    const path = join(this.imageDir, `${input.runId}-${slug}.png`);
    await writeFile(path, input.png);
    this.write(`🖼  ${input.title}: ${path}`);
  }
}
