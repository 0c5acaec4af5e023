import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflowCatalog } from '../../../src/app/workflow-catalog.js';
import { WorkflowModuleError } from '../../../src/kit/workflow-module-error.js';
import { rejectedBy } from '../../support/refusal.js';

/**
 * The loader as Marshal runs it at start: real files in a directory named by the config, imported
 * through the same path as in production. Every bad module stops loading with an error that names the
 * file, the task (or field) and the fix.
 */
const root = resolve('.marshal');
mkdirSync(root, { recursive: true });
const base = mkdtempSync(join(root, 'module-loader-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

let n = 0;
/** Writes `files` into a fresh directory of workflow modules and returns it. */
function moduleDir(files: Record<string, string>): string {
  const dir = join(base, `case-${++n}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const kit = (dir: string) => relative(dir, resolve('src/authoring/index.js')).replace(/\\/g, '/');

/** A module file: a workflow named `name` with one rollout, with `extra` text spliced into its spec. */
function moduleText(
  dir: string,
  o: { name?: string; params?: string; tasks?: string; spec?: string },
): string {
  return `import { z } from 'zod';
import { defineWorkflowModule } from '${kit(dir)}';
export default defineWorkflowModule({
  name: '${o.name ?? 'touch'}',
  summary: 'Touch a file on hosts',
  params: ${o.params ?? 'z.object({ selector: z.string() })'},
  syntax: { positionals: [{ name: 'selector', help: 'the hosts' }] },
  ${o.spec ?? ''}
  workflow: () => ({
    tasks(wf) {
      ${
        o.tasks ??
        `const v = wf.task('validate', async () => undefined);
      wf.rollout('execution', {
        after: v,
        targets: () => ['a'],
        strategy: () => ({ canary: 0, batches: ['100%'], concurrency: 1, soakMs: 0, maxFailPercentPerBatch: 0, maxFailPercentTotal: 0 }),
        step: { name: 'touch', apply: async () => ({ changed: true }), check: async () => 'applied' },
      });`
      }
    },
  }),
});
`;
}

const refusal = (dir: string): Promise<WorkflowModuleError> =>
  rejectedBy(WorkflowModuleError, () => loadWorkflowCatalog({ workflows: [dir], configDir: base }));

describe('loading workflow modules from a directory', () => {
  it('loads a good module next to the built-ins, from its file, without a warning', async () => {
    const dir = moduleDir({});
    writeFileSync(join(dir, 'touch.ts'), moduleText(dir, {}));
    const catalog = await loadWorkflowCatalog({ workflows: [dir], configDir: base });
    expect(catalog.list().map((w) => [w.module.name, w.builtIn])).toEqual([
      ['cert-radar', true],
      ['cert-renew', true],
      ['cert-status', true],
      ['config-push', true],
      ['dr-drill', true],
      ['dr-drill-history', true],
      ['dr-drill-status', true],
      ['os-upgrade', true],
      ['os-upgrade-status', true],
      ['touch', false],
    ]);
    expect(catalog.get('touch')).toMatchObject({ source: join(dir, 'touch.ts'), dir, warnings: [] });
  });

  it('loads a folder module through its index, and JavaScript as well as TypeScript', async () => {
    const dir = moduleDir({});
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'folder', 'index.ts'), moduleText(join(dir, 'folder'), { name: 'in-folder' }));
    writeFileSync(
      join(dir, 'plain.mjs'),
      moduleText(dir, { name: 'plain-js' }).replace(/: '.*kit\/index.js'/, (m) => m),
    );
    writeFileSync(join(dir, '_helper.ts'), 'export const notAModule = 1;\n');
    const catalog = await loadWorkflowCatalog({ workflows: [dir], configDir: base });
    expect(catalog.get('in-folder')?.dir).toBe(join(dir, 'folder'));
    expect(catalog.get('plain-js')?.source).toBe(join(dir, 'plain.mjs'));
    expect(catalog.has('_helper')).toBe(false);
  });

  type Case = [
    string,
    (dir: string) => Record<string, string>,
    { file: string; task?: string; problem: RegExp; fix: RegExp },
  ];
  const cases: Case[] = [
    [
      'a module that does not import',
      () => ({ 'broken.ts': "import './no-such-file.js';\nexport default {};\n" }),
      { file: 'broken.ts', problem: /does not load: .*no-such-file/, fix: /imports cleanly.*npx tsx/ },
    ],
    [
      'a file with no default export',
      () => ({ 'nothing.ts': 'export const x = 1;\n' }),
      { file: 'nothing.ts', problem: /no default export/, fix: /export default defineWorkflowModule/ },
    ],
    [
      'params that are not a zod schema',
      (dir) => ({ 'bad-params.ts': moduleText(dir, { params: "{ selector: 'string' }" }) }),
      { file: 'bad-params.ts', task: 'params', problem: /not a zod schema/, fix: /z\.object/ },
    ],
    [
      'a task after a task that does not exist (an unknown dependency)',
      (dir) => ({
        'unknown-dep.ts': moduleText(dir, {
          tasks: "wf.task('report', async () => undefined, { after: { id: 'deploy' } });",
        }),
      }),
      {
        file: 'unknown-dep.ts',
        task: "task 'report'",
        problem: /runs after 'deploy'/,
        fix: /pass only refs/,
      },
    ],
    [
      'two tasks of one id',
      (dir) => ({
        'dup-task.ts': moduleText(dir, {
          tasks: "wf.task('check', async () => undefined); wf.task('check', async () => undefined);",
        }),
      }),
      { file: 'dup-task.ts', task: "task 'check'", problem: /already used/, fix: /id of its own/ },
    ],
    [
      'a task named like one of the kit’s phases',
      (dir) => ({ 'audit.ts': moduleText(dir, { tasks: "wf.task('audit', async () => undefined);" }) }),
      {
        file: 'audit.ts',
        task: "task 'audit'",
        problem: /already used/,
        fix: /kit adds audit, notify, cleanup/,
      },
    ],
    [
      'two workflows of one name',
      (dir) => ({ 'a.ts': moduleText(dir, { name: 'twin' }), 'b.ts': moduleText(dir, { name: 'twin' }) }),
      { file: 'b.ts', task: 'name', problem: /'twin' is already taken by .*a\.ts/, fix: /name of its own/ },
    ],
    [
      'a workflow named like a built-in',
      (dir) => ({ 'push.ts': moduleText(dir, { name: 'config-push' }) }),
      {
        file: 'push.ts',
        task: 'name',
        problem: /already taken by .*workflows\/config-push\.ts/,
        fix: /name of its own/,
      },
    ],
    [
      'a slash command another workflow claimed',
      (dir) => ({
        'claims.ts': moduleText(dir, { spec: "slashCommand: { command: '/config', subcommand: 'push' }," }),
      }),
      {
        file: 'claims.ts',
        task: 'slashCommand',
        problem: /\/config push is already claimed by workflow 'config-push'/,
        fix: /claim another command/,
      },
    ],
    [
      'default access that names a person instead of a Slack id',
      (dir) => ({ 'access.ts': moduleText(dir, { spec: "access: { start: ['alice'] }," }) }),
      {
        file: 'access.ts',
        task: 'access.start',
        problem: /"alice" is not a Slack user/,
        fix: /user group ids \(S…\)/,
      },
    ],
    [
      'a syntax word that fills no param',
      (dir) => ({
        'syntax.ts': moduleText(dir, { spec: '', params: 'z.object({ hosts: z.string() })' }),
      }),
      {
        file: 'syntax.ts',
        task: 'syntax.positionals[0] <selector>',
        problem: /params.selector, which the params schema does not have/,
        fix: /add selector to params/,
      },
    ],
    [
      'a flag that takes a shared rollout flag’s name',
      (dir) => ({
        'flag.ts': moduleText(dir, {
          spec: "syntax: { positionals: [], flags: { concurrency: { kind: 'value', help: 'x' } } },",
          params: 'z.object({ concurrency: z.string() })',
        }).replace("  syntax: { positionals: [{ name: 'selector', help: 'the hosts' }] },\n", ''),
      }),
      {
        file: 'flag.ts',
        task: 'syntax.flags.concurrency',
        problem: /one of Marshal's shared flags/,
        fix: /rollout: true/,
      },
    ],
  ];

  it.each(cases)('refuses %s, naming the file, the task and the fix', async (_what, files, expected) => {
    const dir = moduleDir({});
    for (const [name, text] of Object.entries(files(dir))) writeFileSync(join(dir, name), text);
    const err = await refusal(dir);
    expect(err.problem.file.endsWith(expected.file), err.message).toBe(true);
    if (expected.task) expect(err.problem.task).toBe(expected.task);
    expect(err.problem.problem).toMatch(expected.problem);
    expect(err.problem.fix).toMatch(expected.fix);
    // One line for the operator: file, task, problem and fix together.
    expect(err.message).toContain(err.problem.file);
    expect(err.message).toContain('Fix: ');
  });

  it('loads a host step without check, with a warning that names the file, the task and the fix', async () => {
    const dir = moduleDir({});
    writeFileSync(
      join(dir, 'unchecked.ts'),
      moduleText(dir, {}).replace(", check: async () => 'applied'", ''),
    );
    const catalog = await loadWorkflowCatalog({ workflows: [dir], configDir: base });
    const [warning] = catalog.get('touch')!.warnings;
    expect(warning).toContain(join(dir, 'unchecked.ts'));
    expect(warning).toContain("task 'execution'");
    expect(warning).toMatch(/host step 'touch' changes hosts and has no check\. Fix: add check/);
  });

  it('refuses a directory that cannot be read, naming the config field', async () => {
    const err: unknown = await loadWorkflowCatalog({
      workflows: [join(base, 'missing')],
      configDir: base,
    }).catch((e: unknown) => e);
    expect(String(err)).toMatch(/workflows\[0\]: the directory .*missing cannot be read/);
  });
});
