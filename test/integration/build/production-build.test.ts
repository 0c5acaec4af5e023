import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// Loaded with --import before bin/marshal.js: a resolve hook that refuses any TypeScript loader or
// TypeScript file of Marshal's (the test's own ops/ext.ts aside), so the compiled build runs without one.
const NO_TYPESCRIPT = `data:text/javascript,${encodeURIComponent(`
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export function resolve(specifier, context, next) {
  if (/^tsx(\\\\/|$)|^typescript(\\\\/|$)/.test(specifier) || (/\\\\.ts$/.test(specifier) && !specifier.includes('/ops/'))) throw new Error('production build loaded ' + specifier);
  return next(specifier, context);
}\`));`)}`;

// Each test starts `marshal` processes, slow on a loaded machine: generous timeouts, nothing timed.
describe('the production build (npm run build → dist/, run by bin/marshal.js)', { timeout: 300_000 }, () => {
  let dir: string;
  // A copy of what the image holds: package.json, bin/, the build, the dependencies.
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'marshal-build-'));
    await mkdir(join(dir, 'bin'));
    await cp(join(ROOT, 'bin/marshal.js'), join(dir, 'bin/marshal.js'));
    await cp(join(ROOT, 'package.json'), join(dir, 'package.json'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await run(process.execPath, [join(ROOT, 'scripts/build.js'), '--out', join(dir, 'dist')], { cwd: ROOT });
  }, 600_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const marshal = (args: string[], env: Record<string, string> = {}) => {
    const { MARSHAL_FROM_SOURCES: _ignored, ...rest } = process.env;
    return run(process.execPath, ['--import', NO_TYPESCRIPT, join(dir, 'bin/marshal.js'), ...args], {
      cwd: dir,
      env: { ...rest, ...env },
    });
  };

  it('runs the compiled CLI with no TypeScript loader: built-in workflows come from dist/', async () => {
    const { stdout } = await marshal(['workflows']);
    expect(stdout).toContain('config-push');
    expect(stdout).toContain(join('dist', 'workflows', 'config-push.js'));
  });

  it('holds no src/local (test fleet, Slack stand-in), and `marshal demo` says to run it from a checkout', async () => {
    expect(await readdir(join(dir, 'dist/src'))).not.toContain('local');
    const demo = await marshal(['demo', '--yes']).catch((err: { code: number; stderr: string }) => err);
    expect('code' in demo ? demo.code : 0).toBe(2);
    expect('stderr' in demo ? demo.stderr : '').toContain('npm run demo');
  });

  it('loads a compiled workflow module that imports marshal/authoring, and names the fix for a .ts one', async () => {
    const modules = join(dir, 'ops');
    await mkdir(modules);
    await writeFile(
      join(modules, 'ext.js'),
      [
        "import { defineWorkflowModule } from 'marshal/authoring';",
        "import { z } from 'zod';",
        "export default defineWorkflowModule({ name: 'ext-compiled', summary: 'an external module',",
        '  params: z.object({}), syntax: { positionals: [] },',
        "  workflow: () => ({ tasks(w) { w.task('a', async () => 1); } }) });",
      ].join('\n'),
    );
    await writeFile(join(dir, 'inventory.yaml'), 'version: 1\nhosts:\n  web-1:\n    address: 127.0.0.1\n');
    // Every directory the config names must exist (checked at load): the default bundles/ too.
    await mkdir(join(dir, 'bundles'), { recursive: true });
    await writeFile(join(dir, 'marshal.yaml'), 'inventory: inventory.yaml\nworkflows: [ops]\n');
    const loaded = await marshal(['workflows'], { MARSHAL_CONFIG: join(dir, 'marshal.yaml') });
    expect(loaded.stdout).toContain('ext-compiled');
    await rm(join(modules, 'ext.js'));
    await writeFile(join(modules, 'ext.ts'), 'const x: number = 1;\nexport default x;\n');
    const failed = await marshal(['workflows'], { MARSHAL_CONFIG: join(dir, 'marshal.yaml') }).catch(
      (err: { stderr: string }) => err,
    );
    expect(failed.stderr).toContain('compile the module to .js');
  });
});
