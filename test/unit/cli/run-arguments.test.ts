import { describe, expect, it } from 'vitest';
import { loadWorkflowCatalog } from '../../../src/app/workflow-catalog.js';
import { parseRunArguments, splitRunCommandLine } from '../../../src/cli/run-arguments.js';

const catalog = await loadWorkflowCatalog({ workflows: [], configDir: '/tmp' });

describe('marshal run: its own options and the workflow’s flags', () => {
  it('gives --concurrency after the workflow name to the workflow, not to the worker (#8 item 8)', () => {
    const line = splitRunCommandLine(['config-push', 'rate-limiter', 'to', 'web', '--concurrency', '3']);
    expect(line.options.workerConcurrency).toBe(50);
    expect(parseRunArguments(catalog, line.workflow, line.words)).toEqual({
      workflow: 'config-push',
      params: { bundle: 'rate-limiter', selector: 'web', concurrency: 3 },
      dryRun: false,
    });
  });

  it('reads marshal run’s own options wherever they stand', () => {
    const line = splitRunCommandLine([
      '--worker-concurrency=8',
      'config-push',
      'b',
      'to',
      'web',
      '--auto-approve',
      '--no-workers',
      '--dry-run',
    ]);
    expect(line).toEqual({
      help: false,
      workflow: 'config-push',
      words: ['b', 'to', 'web', '--dry-run'],
      options: { autoApprove: true, workers: false, workerConcurrency: 8 },
    });
  });

  it('refuses any other flag before the workflow name, and a bad worker concurrency', () => {
    expect(() => splitRunCommandLine(['--concurrency', '3', 'config-push'])).toThrowError(
      expect.objectContaining({ part: '`--concurrency`' }),
    );
    expect(() => splitRunCommandLine(['--dry-run', 'config-push'])).toThrowError(/before the workflow name/);
    expect(() => splitRunCommandLine(['--worker-concurrency', 'lots', 'config-push'])).toThrowError(
      expect.objectContaining({ part: '--worker-concurrency' }),
    );
  });

  it('refuses the old JSON form: every workflow takes its words', () => {
    expect(() => parseRunArguments(catalog, 'config-push', ['--params', '{}'])).toThrowError(
      expect.objectContaining({ part: '--params', problem: 'is not a flag of this command' }),
    );
  });
});
