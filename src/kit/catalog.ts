import type { WorkflowDirs } from './deps.js';
import { WorkflowModuleError } from './workflow-module-error.js';
import type { AnyWorkflowModule, SlashCommandClaim } from './workflow-module.js';

/** A workflow module Marshal has loaded, with where it came from. */
export interface LoadedWorkflow {
  readonly module: AnyWorkflowModule;
  /** The module's file; built-in workflows name their file in Marshal's source too. */
  readonly source: string;
  readonly builtIn: boolean;
  /** The directory the module was loaded from (its folder, for a folder module). */
  readonly dir: string;
  /** What its deps' `dirs` are: the config's directory, the module's, its assets'. */
  readonly dirs: WorkflowDirs;
  /** Things that load but deserve a look (a host step without `check`), one line each. */
  readonly warnings: readonly string[];
}

/** The workflows this Marshal has: front ends list and route by it, the engine's registry is built from it. */
export interface WorkflowCatalog {
  has(name: string): boolean;
  get(name: string): LoadedWorkflow | undefined;
  /** By name. */
  list(): readonly LoadedWorkflow[];
  /** The workflows that claimed a slash command of their own, by command. */
  claims(): ReadonlyMap<string, readonly LoadedWorkflow[]>;
}

/**
 * Puts loaded modules together; refuses two workflows of one name and two claims of one slash command
 * (and subcommand), naming both files.
 */
export function createCatalog(workflows: readonly LoadedWorkflow[]): WorkflowCatalog {
  const byName = new Map<string, LoadedWorkflow>();
  const claims = new Map<string, LoadedWorkflow[]>();
  for (const w of workflows) {
    const other = byName.get(w.module.name);
    if (other) {
      throw new WorkflowModuleError({
        file: w.source,
        task: 'name',
        problem: `the workflow name '${w.module.name}' is already taken by ${other.source}`,
        fix: 'give this workflow a name of its own (the name operators type after /marshal run)',
      });
    }
    byName.set(w.module.name, w);
    const claim = w.module.slashCommand;
    if (!claim) continue;
    if (claim.command === '/marshal' || claim.command === '/ops') {
      throw new WorkflowModuleError({
        file: w.source,
        task: 'slashCommand',
        problem: `${claim.command} is Marshal's own command`,
        fix: `claim a command of your own (e.g. /${w.module.name}), or none: /marshal run ${w.module.name} always works`,
      });
    }
    const sharing = claims.get(claim.command) ?? [];
    const clash = sharing.find((s) => clashes(s.module.slashCommand!, claim));
    if (clash) {
      throw new WorkflowModuleError({
        file: w.source,
        task: 'slashCommand',
        problem: `${show(claim)} is already claimed by workflow '${clash.module.name}' (${clash.source})`,
        fix: 'claim another command, or the same command with a subcommand of its own',
      });
    }
    claims.set(claim.command, [...sharing, w]);
  }
  const sorted = [...byName.values()].sort((a, b) => a.module.name.localeCompare(b.module.name));
  return {
    has: (name) => byName.has(name),
    get: (name) => byName.get(name),
    list: () => sorted,
    claims: () => claims,
  };
}

/**
 * Two claims of one command clash when they name the same subcommand (or both none). A claim of the whole
 * command may share it with subcommand claims: `/osupgrade status …` goes to the subcommand's workflow,
 * every other `/osupgrade …` to the whole command's.
 */
function clashes(a: SlashCommandClaim, b: SlashCommandClaim): boolean {
  return a.subcommand === b.subcommand;
}

export function show(claim: SlashCommandClaim): string {
  return claim.subcommand ? `${claim.command} ${claim.subcommand}` : claim.command;
}
