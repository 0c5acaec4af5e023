import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTerminal } from '../../../src/cli/terminal-run.js';
import { startHarness, tempDir, type Harness } from '../../support/engine-harness.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('marshal run at a choice gate', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(testRedisUrl(), uniquePrefix('terminal-choice'));
  });
  afterAll(async () => h.close());

  it('asks for the option by number or id and for who decides; refuses a bad option and the requester', async () => {
    const dir = tempDir();
    const answers = ['bob', 'maybe', '2', 'alice', 'stay', 'carol'];
    const questions: string[] = [];
    const printed: string[] = [];
    const end = await runInTerminal({
      engine: h.engine,
      request: { workflow: 'drill', params: { dir }, dryRun: false },
      requester: 'cli:alice',
      autoApprove: false,
      ask: (q) => {
        questions.push(q);
        return Promise.resolve(answers.shift() ?? 'no');
      },
      print: (line) => printed.push(line),
    });
    expect(end.state).toBe('succeeded');
    expect(answers).toEqual([]);
    expect(questions[1]).toContain(
      'The drill is on DR. What now?  1) Fail back now [failback]  2) Stay on DR [stay]',
    );
    expect(printed.join('\n')).toContain('"maybe" is not one of: 1 or failback, 2 or stay');
    expect(printed.join('\n')).toMatch(/cli:alice .*cannot/);
    expect(JSON.parse(readFileSync(join(dir, 'act.json'), 'utf8'))).toEqual({
      choice: 'stay',
      approvedBy: 'cli:bob',
    });
    expect(end.gates.find((g) => g.gateId === 'next')).toMatchObject({
      choice: 'stay',
      decidedBy: 'cli:carol',
    });
  });
});
