import { readdir, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidConfigError } from '../../config/invalid-config-error.js';
import type { LoadedWorkflow } from '../../kit/catalog.js';
import { WorkflowModuleError } from '../../kit/workflow-module-error.js';
import { validateModule } from './validate-module.js';

/** Files Marshal loads as modules: TypeScript (through tsx) or JavaScript. */
const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];
const INDEX_FILES = MODULE_EXTENSIONS.map((ext) => `index${ext}`);

/**
 * Loads every workflow module in the directories Marshal's config names (`workflows:`): each file
 * `<dir>/<x>.ts|.js`, and each folder `<dir>/<x>/` with an `index.ts|.js` (its other files are the
 * module's own). Declaration files, tests and names starting with `_` or `.` are not modules.
 */
export async function loadWorkflowModules(
  directories: readonly { path: string; where: string }[],
  configDir: string,
): Promise<LoadedWorkflow[]> {
  const loaded: LoadedWorkflow[] = [];
  for (const directory of directories) {
    for (const file of await moduleFiles(directory.path, directory.where)) {
      loaded.push(await loadModuleFile(file, configDir));
    }
  }
  return loaded;
}

/** Loads and checks one module file. */
export async function loadModuleFile(file: string, configDir: string): Promise<LoadedWorkflow> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    throw new WorkflowModuleError(
      {
        file,
        problem: `does not load: ${message}`,
        fix: typeScriptWithoutLoader(file, err)
          ? 'this is the compiled build, which loads JavaScript only: compile the module to .js (tsc) and name that directory, or run from sources (MARSHAL_FROM_SOURCES=1 with tsx installed)'
          : `fix the module so that it imports cleanly (try: npx tsx ${file})`,
      },
      { cause: err },
    );
  }
  // A folder module's directory is its folder; a file module's the directory it sits in.
  return validateModule(namespace.default, { file, dir: dirname(file), configDir, builtIn: false });
}

/** A `.ts` module imported by a Node without a TypeScript loader (the production build). */
function typeScriptWithoutLoader(file: string, err: unknown): boolean {
  return /\.m?ts$/.test(file) && (err as { code?: string }).code === 'ERR_UNKNOWN_FILE_EXTENSION';
}

async function moduleFiles(dir: string, where: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new InvalidConfigError(
      "Marshal's config file",
      [
        {
          where,
          problem: `the directory ${dir} cannot be read`,
          fix: 'Name a directory of workflow modules, relative to the config file',
        },
      ],
      { cause: err },
    );
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const index = await firstFile(INDEX_FILES.map((f) => join(path, f)));
      if (index) files.push(index);
      continue;
    }
    const ext = extname(entry.name);
    if (!MODULE_EXTENSIONS.includes(ext)) continue;
    if (/\.d\.[mc]?ts$|\.(test|spec)\.[mc]?[jt]s$/.test(entry.name)) continue;
    files.push(path);
  }
  return files;
}

async function firstFile(candidates: string[]): Promise<string | undefined> {
  for (const path of candidates) {
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile()) return path;
  }
  return undefined;
}
