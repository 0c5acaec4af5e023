/**
 * OS upgrade status: `/osupgrade status <release>` (or `marshal run os-upgrade-status <release>`).
 *
 * Reads what the OS upgrade remembers of every run to the release and answers, per data center (the
 * `dc` inventory var, settings `dcVar`): hosts upgraded, failed and pending, the success rate, the median
 * time of an upgraded host and the slowest hosts. Reads only; changes nothing on any host.
 */
import { z } from 'zod';
import { defineWorkflowModule, type Json } from '../src/authoring/index.js';
import {
  ReleaseName,
  formatStatus,
  historyKey,
  parseHistory,
  releaseStatus,
} from '../src/osupgrade/index.js';
import { readSettings } from './os-upgrade/release.js';

export const OsUpgradeStatusParams = z.object({ release: ReleaseName });

export default defineWorkflowModule({
  name: 'os-upgrade-status',
  summary: 'Where an OS release stands per data center: upgraded, failed, pending, success rate, timings',
  params: OsUpgradeStatusParams,
  syntax: {
    positionals: [{ name: 'release', help: 'a release of the signed release catalog, e.g. debian-12.7' }],
  },
  slashCommand: {
    command: '/osupgrade',
    subcommand: 'status',
    description: 'Where an OS release stands per data center',
  },
  // It reports on what the OS upgrade recorded: the same records, read only.
  records: 'os-upgrade',
  workflow: (deps) => ({
    tasks(wf) {
      wf.task(
        'report',
        async (ctx) => {
          const settings = readSettings(deps.settings);
          const records = parseHistory(await deps.records.list(historyKey(ctx.params.release)));
          const hosts = deps.inventory.hosts().map((h) => {
            const dc = h.vars[settings.dcVar];
            return { name: h.name, dc: typeof dc === 'string' && dc ? dc : '(no dc)' };
          });
          const status = releaseStatus(records, hosts);
          const runs = new Set(records.map((r) => r.runId)).size;
          await ctx.fenced(() =>
            deps.notifier.alert({
              runId: ctx.runId,
              to: [],
              title: `OS release ${ctx.params.release}: status`,
              text: `${formatStatus(ctx.params.release, status)}\n(${runs} run(s) recorded)`,
            }),
          );
          return { release: ctx.params.release, runs, dcs: status as unknown as Json };
        },
        { timeoutMs: 60_000 },
      );
    },
  }),
});
