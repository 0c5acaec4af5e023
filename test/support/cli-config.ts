import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { parse, stringify } from 'yaml';

/** The Slack user id tests map the OS user running them to (access.cli.users). */
export const CLI_USER = 'U0CLIOPERATOR';

/**
 * A copy of a Marshal config (beside it, so its relative paths still hold) where the OS user running
 * the tests is `CLI_USER`, and `workflows` get the given rights: the terminal's identity and access
 * lists, as an operator would configure them.
 */
export function configWithCliAccess(
  configPath: string,
  workflows: Record<string, { start?: string[]; approve?: string[]; unattended?: boolean; quorum?: number }>,
  name = 'marshal-cli.yaml',
  /** More of `access` (per-target rules, ops roles such as break-glass), as the config file spells them. */
  access: Record<string, unknown> = {},
): string {
  const doc = parse(readFileSync(configPath, 'utf8')) as {
    access?: { workflows?: Record<string, unknown>; cli?: unknown };
  };
  doc.access = {
    ...doc.access,
    workflows: { ...(doc.access?.workflows ?? {}), ...workflows },
    cli: { users: { [userInfo().username]: CLI_USER } },
    ...access,
  };
  const path = join(dirname(configPath), name);
  writeFileSync(path, stringify(doc));
  return path;
}
