/**
 * `/drdrill history <scenario>` (or `marshal run dr-drill-history <scenario>`): the scenario's scorecards,
 * as a table and a chart of measured RTO (and rollback time) against the target, drill after drill.
 */
import { z } from 'zod';
import { defineWorkflowModule, postNote } from '../src/authoring/index.js';
import { historyChart, historyTable, LocalName, Scorecard } from '../src/drdrill/index.js';
import { scorecardsKey } from './dr-drill/drill-run.js';

export default defineWorkflowModule({
  name: 'dr-drill-history',
  summary:
    "A DR drill scenario's scorecards: RTO against the target, errors, lag, rollbacks, drill after drill",
  params: z.object({ scenario: LocalName }),
  syntax: {
    positionals: [{ name: 'scenario', help: 'the scenario name, e.g. checkout-eu', word: LocalName }],
  },
  slashCommand: {
    command: '/drdrill',
    subcommand: 'history',
    description: "A DR drill scenario's scorecards over time",
  },
  // The scorecards are the dr-drill workflow's records.
  records: 'dr-drill',
  workflow: (deps) => ({
    tasks(wf) {
      wf.task(
        'history',
        async (ctx) => {
          const cards = (await deps.records.list(scorecardsKey(ctx.params.scenario), 50)).flatMap((c) => {
            const parsed = Scorecard.safeParse(c);
            return parsed.success ? [parsed.data] : [];
          });
          const title = `DR drill history: ${ctx.params.scenario}`;
          if (cards.length === 0) {
            await postNote(deps.notifier, {
              runId: ctx.runId,
              title,
              text: `No drill of ${ctx.params.scenario} has finished yet.`,
            });
            return { drills: 0 };
          }
          await postNote(deps.notifier, {
            runId: ctx.runId,
            title,
            text: '```\n' + historyTable(cards) + '\n```',
          });
          await deps.notifier.image({
            runId: ctx.runId,
            title: `DR drill history ${ctx.params.scenario}`,
            png: await historyChart(ctx.params.scenario, cards),
            altText: `RTO and rollback time of the last ${cards.length} drills of ${ctx.params.scenario}, in seconds, against the RTO target`,
          });
          return { drills: cards.length };
        },
        { timeoutMs: 60_000 },
      );
    },
  }),
});
