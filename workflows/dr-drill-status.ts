/**
 * `/drdrill status` (or `marshal run dr-drill-status`): the DR drills going on now, each with the share
 * the secondary serves, its last step and what it waits for. Reads only: Marshal's runs and the drills'
 * journals.
 */
import { z } from 'zod';
import { defineWorkflowModule, postNote } from '../src/authoring/index.js';
import { readJournal } from '../src/drdrill/index.js';
import { journalKey } from './dr-drill/drill-run.js';

export default defineWorkflowModule({
  name: 'dr-drill-status',
  summary: 'The DR drills going on now: share on the secondary, last step, what each waits for',
  params: z.object({}),
  syntax: { positionals: [] },
  slashCommand: { command: '/drdrill', subcommand: 'status', description: 'The DR drills going on now' },
  // The drills' journals are the dr-drill workflow's records.
  records: 'dr-drill',
  workflow: (deps) => ({
    tasks(wf) {
      wf.task(
        'status',
        async (ctx) => {
          const active = (await deps.runs.list({ active: true, limit: 200 })).filter(
            (r) => r.workflow === 'dr-drill',
          );
          const lines: string[] = [];
          for (const run of active) {
            const named = (run.params as { scenario?: unknown }).scenario;
            const scenario = typeof named === 'string' ? named : '?';
            const journal = readJournal(await deps.records.get(journalKey(run.runId)), scenario);
            const last = journal.steps.at(-1);
            const waiting = run.gates.filter((g) => g.state === 'waiting').map((g) => g.gateId);
            const busy = run.tasks.filter((t) => t.state === 'running').map((t) => t.taskId);
            lines.push(
              `• ${scenario} (run ${run.runId}${run.dryRun ? ', dry run' : ''}) by ${run.requester}: ` +
                (last
                  ? `${last.share}% on the secondary (${last.kind}, ${last.pass === undefined ? 'checking' : last.pass ? 'checks passed' : 'checks FAILED'})`
                  : 'no traffic moved yet') +
                (journal.dns.switchedAt && !journal.dns.restoredAt ? ', DNS on the secondary' : '') +
                (journal.rollback ? ', rolled back' : '') +
                (waiting.length ? `; waiting for ${waiting.join(', ')}` : '') +
                (busy.length ? `; running ${busy.join(', ')}` : ''),
            );
          }
          const text = lines.length ? lines.join('\n') : 'No DR drill is going on.';
          await postNote(deps.notifier, { runId: ctx.runId, title: 'DR drills now', text });
          return { active: active.length };
        },
        { timeoutMs: 60_000 },
      );
    },
  }),
});
