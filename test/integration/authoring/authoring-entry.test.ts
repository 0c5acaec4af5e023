import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const IO_LIBRARIES = /\/node_modules\/(bullmq|ioredis|ssh2|@slack)\//;

/** Every module URL a fresh process resolves while importing `entry` (through tsx, as Marshal runs). */
async function modulesLoadedBy(dir: string, entry: string): Promise<string[]> {
  const out = join(dir, `imports-${Math.random().toString(36).slice(2)}.txt`);
  await writeFile(out, '');
  await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(ROOT, 'test/support/record-imports.js'),
      '-e',
      `await import(${JSON.stringify(entry)})`,
    ],
    { cwd: ROOT, env: { ...process.env, MARSHAL_RECORD_IMPORTS: out } },
  );
  return (await readFile(out, 'utf8')).split('\n').filter(Boolean);
}

describe('the authoring entry', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marshal-authoring-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads no BullMQ, ioredis, ssh2 or Slack library; the runtime entry does', async () => {
    const authoring = await modulesLoadedBy(dir, join(ROOT, 'src/authoring/index.ts'));
    expect(authoring.some((u) => u.includes('/node_modules/zod/'))).toBe(true);
    expect(authoring.filter((u) => IO_LIBRARIES.test(u))).toEqual([]);
    const runtime = await modulesLoadedBy(dir, join(ROOT, 'src/engine/index.ts'));
    expect(runtime.some((u) => u.includes('/node_modules/bullmq/'))).toBe(true);
  });

  it("is imported as 'marshal/authoring' by a workflow module outside Marshal's directory (tsx, as bin/marshal.js runs)", async () => {
    const moduleDir = join(dir, 'ops-workflows');
    await mkdir(moduleDir, { recursive: true });
    await writeFile(
      join(moduleDir, 'reboot.ts'),
      [
        "import { defineWorkflow, RolloutParams, rolloutStrategy } from 'marshal/authoring';",
        "const wf = defineWorkflow({ name: 'ext', summary: 'an external module', params: RolloutParams,",
        "  tasks(w) { w.task('a', async () => 1); } });",
        'const s = rolloutStrategy(RolloutParams.parse({}), { dryRun: true });',
        'console.log(JSON.stringify({ name: wf.name, tasks: [...wf.tasks.keys()], batches: s.batches }));',
      ].join('\n'),
    );
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', join(ROOT, 'src/authoring/register.js'), join(moduleDir, 'reboot.ts')],
      { cwd: ROOT },
    );
    expect(JSON.parse(stdout)).toEqual({ name: 'ext', tasks: ['a'], batches: ['100%'] });
  });

  it("is imported as 'marshal/authoring' from compiled JavaScript, through package.json exports", async () => {
    // A copy of the package: its package.json (with "exports"), a module inside it, compiled by tsc.
    const pkg = join(dir, 'compiled');
    await mkdir(join(pkg, 'examples'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    await cp(join(ROOT, 'src'), join(pkg, 'src'), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    await writeFile(
      join(pkg, 'examples', 'wf.ts'),
      [
        "import { defineWorkflow, RolloutParams } from 'marshal/authoring';",
        "const wf = defineWorkflow({ name: 'compiled', summary: 'compiled module', params: RolloutParams,",
        "  tasks(w) { w.task('a', async () => 1); } });",
        'console.log(wf.name);',
      ].join('\n'),
    );
    await writeFile(
      join(pkg, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: true,
          outDir: 'dist',
          rootDir: '.',
        },
        files: ['src/authoring/index.ts', 'examples/wf.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', pkg], { cwd: pkg });
    const { stdout } = await run(process.execPath, [join(pkg, 'dist/examples/wf.js')], { cwd: pkg });
    expect(stdout.trim()).toBe('compiled');
  }, 240_000);
});
