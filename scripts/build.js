// `npm run build`: compiles Marshal (src/, commands/, workflows/) to dist/ with tsc, then finishes what
// tsc does not: the plain-JavaScript authoring resolve hook is copied, and src/local (the test fleet,
// Slack stand-in and demo, which tsc reaches through `marshal demo`'s import) is removed, so neither
// dist/ nor the image built from it holds it.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--out DIR` builds elsewhere (the build test does, so it never replaces a checkout's dist/).
const at = process.argv.indexOf('--out');
const out = at > 0 ? resolve(process.argv[at + 1] ?? '') : join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', out], {
  stdio: 'inherit',
});
copyFileSync(join(root, 'src/authoring/resolve-hook.js'), join(out, 'src/authoring/resolve-hook.js'));
rmSync(join(out, 'src/local'), { recursive: true, force: true });
process.stdout.write(`built ${out} (run: node bin/marshal.js)\n`);
