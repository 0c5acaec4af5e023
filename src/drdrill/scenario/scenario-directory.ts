import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { ErrorCode, MarshalError } from '../../errors/index.js';
import { didYouMean } from '../../inventory/closest-matches.js';
import { invalidScenario, parseScenario } from './parse-scenario.js';
import type { Scenario } from './scenario-schema.js';

/**
 * The directory of drill scenarios: one `<name>.yaml` (or `.yml`) per scenario, whose `name` field
 * matches the file's. Read on every call, so an operator's fix is seen by the next `/drdrill start`.
 */
export class ScenarioDirectory {
  constructor(readonly dir: string) {}

  /** The scenarios' names, sorted. */
  async names(): Promise<string[]> {
    return [...(await this.files()).keys()].sort();
  }

  /** The named scenario, checked; UnknownScenario (with close names) when no file has that name. */
  async load(name: string): Promise<Scenario> {
    const files = await this.files();
    const file = files.get(name);
    if (!file) {
      const known = [...files.keys()].sort();
      throw new MarshalError(
        ErrorCode.UnknownScenario,
        `No drill scenario '${name}' in ${this.dir}${didYouMean(name, known)}` +
          (known.length ? `; scenarios: ${known.join(', ')}` : '; the directory holds none'),
        { context: { scenario: name, dir: this.dir } },
      );
    }
    const source = basename(file);
    const scenario = parseScenario(await readFile(file, 'utf8'), source);
    if (scenario.name !== name)
      throw invalidScenario(source, [
        {
          path: 'name',
          message: `'${scenario.name}' differs from the file's name '${name}'; make them the same`,
        },
      ]);
    return scenario;
  }

  private async files(): Promise<Map<string, string>> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    const files = new Map<string, string>();
    for (const entry of entries) {
      const ext = extname(entry.name);
      if (!entry.isFile() || (ext !== '.yaml' && ext !== '.yml')) continue;
      const name = entry.name.slice(0, -ext.length);
      if (files.has(name))
        throw invalidScenario(entry.name, [
          { path: '', message: `both ${name}.yaml and ${name}.yml exist; keep one` },
        ]);
      files.set(name, join(this.dir, entry.name));
    }
    return files;
  }
}
