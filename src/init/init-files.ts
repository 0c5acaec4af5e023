import { stringify } from 'yaml';
import type { InitHost } from './init-hosts.js';

export interface InitAnswers {
  readonly hosts: readonly InitHost[];
  /** The user Marshal logs in as on every host. */
  readonly user: string;
  /** Absolute path of the private key Marshal logs in with. */
  readonly privateKey: string;
  /** Slack user or group id alerted when a push of the first bundle fails; also who may run config push. */
  readonly owner: string;
  /** The directory on hosts bundles may write into. */
  readonly configRoot: string;
  /** Who runs `marshal init`: mapped to `owner` in access.cli, so `marshal run` here acts as them. */
  readonly osUser: string;
  /** known_hosts lines of the keys the operator confirmed. */
  readonly knownHosts: readonly string[];
}

/** The first bundle's name, as the printed command uses it. */
export const FIRST_BUNDLE = 'marshal-hello';

/**
 * What `marshal init` writes, as relative path → text. Pure: the command writes them. The config names
 * its inventory, known_hosts and bundles relative to itself, so the folder can be moved as a whole.
 */
export function initFiles(a: InitAnswers): Record<string, string> {
  const config = [
    "# Marshal's config file, written by `marshal init`. Every field: examples/marshal.yaml in Marshal's",
    '# repository. Relative paths are taken from this file’s directory.',
    stringify({
      inventory: 'inventory.yaml',
      ssh: { privateKey: a.privateKey, knownHosts: 'known_hosts', trustOnFirstUse: false },
      bundles: 'bundles',
      configRoots: [a.configRoot],
    }).trimEnd(),
    '',
    '# Who may start and approve each workflow from Slack (user ids U…, group ids S…). A run is never',
    '# approved by the person who asked for it: add your approvers.',
    '# access.cli: who a terminal acts as (marshal run, approve, hold…); the OS user that ran init is the owner.',
    stringify({
      access: {
        workflows: { 'config-push': { start: [a.owner], approve: [a.owner] } },
        // A terminal can act only as a person (U…/W…), not as a group.
        ...(/^[UW]/.test(a.owner) ? { cli: { users: { [a.osUser]: a.owner } } } : {}),
      },
    }).trimEnd(),
    '',
  ].join('\n');

  const inventory = [
    '# Your hosts (docs/inventory.md for every field and for selectors).',
    stringify({
      version: 1,
      defaults: { user: a.user },
      hosts: Object.fromEntries(
        a.hosts.map((h) => [h.name, { address: h.address, ...(h.port === 22 ? {} : { port: h.port }) }]),
      ),
    }).trimEnd(),
    '',
  ].join('\n');

  const target = `${a.configRoot}/${FIRST_BUNDLE}.conf`;
  const manifest = [
    '# A first bundle: one small text file, to try a push end to end. Replace it with your own.',
    stringify({
      name: FIRST_BUNDLE,
      version: '0.1.0',
      description: 'A first bundle written by marshal init: a text file that says Marshal manages the host',
      owners: [a.owner],
      file: { source: `${FIRST_BUNDLE}.conf`, format: 'plain', target, mode: '0644' },
      commands: {
        // What the application would run to load the new file; this file has no application.
        reload: { argv: ['test', '-r', '{file}'] },
        health: { argv: ['grep', '-q', 'managed by Marshal', '{file}'] },
      },
      requirements: { disk: { minFreeMb: 1 } },
    }).trimEnd(),
    '',
  ].join('\n');

  return {
    'marshal.yaml': config,
    'inventory.yaml': inventory,
    known_hosts: a.knownHosts.map((l) => `${l}\n`).join(''),
    [`bundles/${FIRST_BUNDLE}/bundle.yaml`]: manifest,
    [`bundles/${FIRST_BUNDLE}/${FIRST_BUNDLE}.conf`]:
      '# This host is managed by Marshal: changes to this file are pushed, not edited here.\n',
  };
}

/** The exact command that tries the first bundle on every host, changing nothing. */
export function firstDryRun(configPath: string): string {
  return `MARSHAL_CONFIG=${shellWord(configPath)} marshal run config-push ${FIRST_BUNDLE} to all --dry-run`;
}

/** A path as one shell word (quoted only when it needs to be). */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
