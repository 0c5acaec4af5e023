import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../../src/engine/model/events.js';
import {
  renderApprovalCard,
  renderDecidedCard,
  renderFinalSummary,
  renderRunParent,
  renderStageDone,
  type SlackMessage,
} from '../../../../src/slack/blocks/index.js';
import { assertValidMessage, fencesBalanced } from '../../../support/slack/block-kit-schema.js';
import { seededRandom } from '../../../support/random.js';
import { RunModel, rolloutEvents } from '../../../support/slack/run-model.js';

/** Host names and outputs chosen to hurt: long, unicode, mrkdwn control characters, code fences. */
function nastyName(random: () => number) {
  const parts = ['web', 'db', 'édge', '<lb>', 'a&b', '🚀', 'x'.repeat(1 + Math.floor(random() * 200))];
  return (i: number) =>
    `${parts[Math.floor(random() * parts.length)]}-${i}-${'n'.repeat(Math.floor(random() * 60))}`;
}
function nastyError(host: string, random: () => number): string {
  const lines = Math.floor(random() * 400);
  return Array.from(
    { length: lines },
    (_, i) => `${host} line ${i} \`\`\` <&> ${'é'.repeat(Math.floor(random() * 50))}`,
  ).join('\n');
}

describe('every rendered message stays within Slack limits for 1,000-host runs', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: parent, stage replies, approval, decided and final summary are valid Block Kit`, () => {
      const random = seededRandom(seed);
      const script = {
        runId: `run-${seed}-${'r'.repeat(Math.floor(random() * 100))}`,
        hosts: 1000,
        canary: 1 + Math.floor(random() * 50),
        batches: 1 + Math.floor(random() * 8),
        failRate: random() * 0.6,
        seed,
        progressEvery: 100,
        hostName: nastyName(random),
        errorText: nastyError,
      };
      const model = new RunModel();
      const rendered: SlackMessage[] = [];
      let events: RunEvent[] = rolloutEvents(script);
      events = events.filter((e) => e.type !== 'task.state' || random() < 0.5);
      for (const event of events) {
        model.apply(event);
        const milestone = ['stage.progress', 'gate.waiting', 'gate.decided', 'run.finished'].includes(
          event.type,
        );
        if (!milestone) continue;
        const run = model.get(script.runId);
        const ctx = { now: new Date('2025-03-01T12:00:00Z'), totalTargets: 1000 };
        if (
          event.type === 'stage.progress' &&
          event.progress.done + event.progress.failed === event.progress.total
        ) {
          rendered.push(renderStageDone(run, event.progress, ctx), renderRunParent(run, ctx));
        }
        if (event.type === 'gate.waiting') rendered.push(renderApprovalCard(run, run.gates[0]!));
        if (event.type === 'gate.decided') rendered.push(renderDecidedCard(run, run.gates[0]!));
        if (event.type === 'run.finished')
          rendered.push(renderFinalSummary(run, ctx), renderRunParent(run, ctx));
      }
      expect(rendered.length).toBeGreaterThanOrEqual(script.batches + 4);
      for (const message of rendered) {
        assertValidMessage(message);
        expect(fencesBalanced(message)).toBe(true);
      }
    });
  }
});
