import { z } from 'zod';
import type { ShellCommand } from '../hosts/executor.js';
import { sh } from '../hosts/quote.js';
import type { OsUpgradeSettings } from './settings.js';
import { profileCommand } from './upgrade-profile.js';

/**
 * One round trip per host for every pre-check: boot id (reachable), the running version, free space
 * where the image goes, and the critical-workload probes. `pgrep` patterns come on stdin, one per line,
 * so they are not on the probing shell's own command line (where `pgrep -f` would find them).
 */
export function hostFactsCommand(settings: OsUpgradeSettings): { command: ShellCommand; stdin: string } {
  const w = settings.criticalWorkload;
  const markers = w.markerFiles.map(
    (f) => sh`if [ -e ${f} ]; then echo ${`busy=marker file ${f} is present`}; fi`.text,
  );
  const command = w.command
    ? [
        sh`if ! sh -c ${w.command} </dev/null >/dev/null 2>&1; then echo ${`busy=the workload probe \`${w.command}\` says busy`}; fi`
          .text,
      ]
    : [];
  const version = profileCommand(settings.profile, 'currentVersion', {});
  const script = [
    'echo "boot_id=$(cat /proc/sys/kernel/random/boot_id)"',
    sh`v=$(${version}) && echo "version=$v"`.text,
    sh`d=${settings.profile.downloadDir}; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done`.text,
    `df -Pk -- "$d" | awk 'NR==2 { print "avail_kb=" $4 }'`,
    'while IFS= read -r p; do [ -n "$p" ] && pgrep -f -- "$p" >/dev/null && echo "busy=a process matching $p is running"; done; true',
    ...markers,
    ...command,
  ].join('\n');
  return { command: sh`${sh.raw(script)}`, stdin: w.processes.map((p) => `${p}\n`).join('') };
}

const Facts = z.object({
  bootId: z.string().regex(/^[0-9a-f-]{36}$/, 'no boot id'),
  version: z.string().min(1, 'the currentVersion command printed nothing'),
  availKb: z.coerce.number().int().nonnegative(),
  busy: z.array(z.string()),
});
export type HostFacts = z.infer<typeof Facts>;

/** Reads the probe's `key=value` lines; a host that printed something else gets a clear reason. */
export function parseHostFacts(
  stdout: string,
): { ok: true; facts: HostFacts } | { ok: false; problem: string } {
  const fields = new Map<string, string>();
  const busy: string[] = [];
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'busy') busy.push(value);
    else fields.set(key, value);
  }
  const parsed = Facts.safeParse({
    bootId: fields.get('boot_id'),
    version: fields.get('version'),
    availKb: fields.get('avail_kb'),
    busy,
  });
  if (!parsed.success)
    return {
      ok: false,
      problem: `the pre-check probe printed something unexpected (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
    };
  return { ok: true, facts: parsed.data };
}
