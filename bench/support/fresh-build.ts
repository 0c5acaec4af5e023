import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** What `npm run build` compiles (scripts/build.js, tsconfig.build.json): a change here makes dist/ stale. */
const SOURCES = ['src', 'commands', 'workflows', 'tsconfig.build.json', 'tsconfig.json', 'package.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Runs `npm run build` (scripts/build.js) when dist/ is missing or older than any source it compiles, so a
 * bench of the compiled build never measures yesterday's code. `marker` is a file the build writes
 * (relative to dist/): the build removes dist/ first, so its time is the build's.
 */
export function ensureFreshBuild(marker: string): void {
  const built = join(root, 'dist', marker);
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sourcesAt = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (builtAt >= sourcesAt) return;
  console.log(
    builtAt === 0 ? 'dist/ is missing: npm run build' : 'dist/ is older than the sources: npm run build',
  );
  execFileSync(process.execPath, [join(root, 'scripts/build.js')], { stdio: 'inherit' });
}
