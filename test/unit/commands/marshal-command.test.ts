import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { CommandInputError } from '../../../commands/parse/command-input-error.js';
import {
  claimedUsage,
  known,
  MARSHAL_USAGE,
  marshalRunUsage,
  parseClaimedCommand,
  parseMarshalCommand,
} from '../../../commands/parse/marshal-command.js';
import { createCatalog, type LoadedWorkflow } from '../../../src/kit/catalog.js';
import type { SlashCommandClaim } from '../../../src/kit/workflow-module.js';
import { defineWorkflowModule } from '../../../src/kit/workflow-module.js';
import { thrownBy } from '../../support/refusal.js';

// `/marshal run|help` and the slash commands workflows claim, over a catalog of small workflows
// declared here: routing by name and subcommand, help, and the refusals (known names closest first).

const loaded = (name: string, slashCommand?: SlashCommandClaim): LoadedWorkflow => ({
  module: defineWorkflowModule({
    name,
    summary: `the ${name} workflow`,
    params: z.object({ target: z.string() }),
    syntax: { positionals: [{ name: 'target', help: 'a target' }] },
    ...(slashCommand ? { slashCommand } : {}),
    workflow: () => ({ tasks: [] }) as never,
  }),
  source: `/workflows/${name}.ts`,
  builtIn: false,
  dir: '/workflows',
  dirs: { config: '/etc', module: '/workflows', assets: undefined },
  warnings: [],
});

const push = loaded('config-push', { command: '/config', subcommand: 'push' });
const rollback = loaded('config-rollback', { command: '/config', subcommand: 'rollback' });
const upgrade = loaded('os-upgrade', { command: '/osupgrade' });
const upgradeStatus = loaded('os-status', { command: '/osupgrade', subcommand: 'status' });
const catalog = createCatalog([upgrade, push, rollback, upgradeStatus]);

describe('/marshal', () => {
  it('reads an empty text and `help` as help about every workflow', () => {
    expect(parseMarshalCommand(catalog, '')).toStrictEqual({ kind: 'help' });
    expect(parseMarshalCommand(catalog, 'help')).toStrictEqual({ kind: 'help' });
  });

  it('reads `help <workflow>` as help about a known workflow', () => {
    expect(parseMarshalCommand(catalog, 'help os-upgrade')).toStrictEqual({
      kind: 'help',
      workflow: 'os-upgrade',
    });
  });

  it('runs a workflow with its words read by its syntax', () => {
    expect(parseMarshalCommand(catalog, 'run config-push web-01 --dry-run')).toStrictEqual({
      kind: 'run',
      workflow: 'config-push',
      params: { target: 'web-01' },
      dryRun: true,
    });
  });

  it("refuses the workflow's words with its /marshal run usage line", () => {
    expect(thrownBy(CommandInputError, () => parseMarshalCommand(catalog, 'run config-push'))).toMatchObject({
      part: '<target>',
      problem: 'is missing',
      usage: '/marshal run config-push <target> [--dry-run]',
    });
    expect(marshalRunUsage(push)).toBe('/marshal run config-push <target> [--dry-run]');
  });

  it('refuses another subcommand with the general usage line', () => {
    expect(
      thrownBy(CommandInputError, () => parseMarshalCommand(catalog, 'start config-push')),
    ).toMatchObject({
      part: 'subcommand',
      problem: '`start` is not a /marshal subcommand',
      allowed: '`run` or `help`',
      usage: MARSHAL_USAGE,
    });
  });

  it('refuses run without a workflow, listing every workflow by name', () => {
    expect(thrownBy(CommandInputError, () => parseMarshalCommand(catalog, 'run'))).toMatchObject({
      part: '<workflow>',
      problem: 'is missing',
      usage: MARSHAL_USAGE,
    });
    const { allowed } = thrownBy(CommandInputError, () => parseMarshalCommand(catalog, 'run'));
    expect(allowed.startsWith('one of `')).toBe(true);
    expect(allowed.match(/`[^`]+`/g)?.sort()).toEqual(
      ['`config-push`', '`config-rollback`', '`os-status`', '`os-upgrade`'].sort(),
    );
  });

  it.each(['run config-psuh x', 'help config-psuh'])(
    'refuses %j: unknown workflow, closest first',
    (text) => {
      expect(thrownBy(CommandInputError, () => parseMarshalCommand(catalog, text))).toMatchObject({
        part: '<workflow>',
        problem: '`config-psuh` is not a workflow of this Marshal',
        allowed: 'one of `config-push`, `config-rollback`, `os-status`, `os-upgrade` (closest first)',
        usage: MARSHAL_USAGE,
      });
    },
  );

  it('cuts a long unknown name at 60 characters', () => {
    const err = thrownBy(CommandInputError, () => parseMarshalCommand(catalog, `run ${'x'.repeat(80)}`));
    expect(err.problem).toBe(`\`${'x'.repeat(57)}...\` is not a workflow of this Marshal`);
  });

  it('says there are none when the catalog is empty', () => {
    const empty = createCatalog([]);
    expect(thrownBy(CommandInputError, () => known(empty, 'x'))).toMatchObject({
      allowed: 'one of `(none)` (closest first)',
    });
    expect(thrownBy(CommandInputError, () => known(empty, undefined))).toMatchObject({
      allowed: 'one of `(none)`',
    });
  });

  it('known gives the loaded workflow of that name', () => {
    expect(known(catalog, 'os-status')).toBe(upgradeStatus);
  });
});

describe('claimed slash commands', () => {
  const config = [push, rollback];
  const osupgrade = [upgrade, upgradeStatus];

  it('shows one usage per claimant', () => {
    expect(claimedUsage(push)).toBe('/config push <target> [--dry-run]');
    expect(claimedUsage(upgrade)).toBe('/osupgrade <target> [--dry-run]');
  });

  it('reads nothing or `help` as help', () => {
    expect(parseClaimedCommand('/config', config, '')).toStrictEqual({ kind: 'help' });
    expect(parseClaimedCommand('/config', config, 'help')).toStrictEqual({ kind: 'help' });
  });

  it('routes by subcommand, the rest being the workflow words', () => {
    expect(parseClaimedCommand('/config', config, 'rollback web-01')).toStrictEqual({
      kind: 'run',
      workflow: 'config-rollback',
      params: { target: 'web-01' },
      dryRun: false,
    });
  });

  it('a subcommand wins over the whole-command claim; other words go to the whole command', () => {
    expect(parseClaimedCommand('/osupgrade', osupgrade, 'status web-01')).toMatchObject({
      workflow: 'os-status',
      params: { target: 'web-01' },
    });
    expect(parseClaimedCommand('/osupgrade', osupgrade, 'web-01 --dry-run')).toStrictEqual({
      kind: 'run',
      workflow: 'os-upgrade',
      params: { target: 'web-01' },
      dryRun: true,
    });
    // `help` with more words is a workflow word, not help.
    expect(parseClaimedCommand('/osupgrade', osupgrade, 'help')).toStrictEqual({ kind: 'help' });
    expect(
      thrownBy(CommandInputError, () => parseClaimedCommand('/osupgrade', osupgrade, 'help me')),
    ).toMatchObject({
      part: 'arguments',
      problem: 'unexpected `me`',
    });
  });

  it("refuses the workflow's words with the claimant's own usage line", () => {
    expect(thrownBy(CommandInputError, () => parseClaimedCommand('/config', config, 'push'))).toMatchObject({
      part: '<target>',
      problem: 'is missing',
      usage: '/config push <target> [--dry-run]',
    });
  });

  it('refuses an unknown subcommand listing the claimed ones and help, with every usage line', () => {
    expect(
      thrownBy(CommandInputError, () => parseClaimedCommand('/config', config, 'deploy x')),
    ).toMatchObject({
      part: 'subcommand',
      problem: '`deploy` is not a /config subcommand',
      allowed: '`push` or `rollback` or `help`',
      usage: '/config push <target> [--dry-run] | /config rollback <target> [--dry-run]',
    });
  });

  it('says "an" before a command starting with a vowel', () => {
    const only = [upgradeStatus];
    expect(thrownBy(CommandInputError, () => parseClaimedCommand('/osupgrade', only, 'go'))).toMatchObject({
      problem: '`go` is not an /osupgrade subcommand',
      allowed: '`status` or `help`',
    });
  });
});
