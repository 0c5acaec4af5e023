import type { z } from 'zod';
import { deepFreeze } from '../../config/deep-freeze.js';
import { ErrorCode, ValidationError, formatPath, type FieldIssue } from '../../errors/index.js';
import { readYaml } from '../../inventory/parse-yaml-text.js';
import { inventoryErrorMap } from '../../inventory/zod-messages.js';
import { scenarioReferenceIssues } from './scenario-references.js';
import { ScenarioSchema, type Scenario } from './scenario-schema.js';

/**
 * A scenario file's text to a checked, frozen Scenario: YAML (duplicate keys refused, with their line),
 * then each field's shape, then the references between fields. `source` names the file in errors.
 * Refusals are ValidationErrors coded InvalidScenario whose issues name the field paths.
 */
export function parseScenario(text: string, source: string): Scenario {
  const data = parseYaml(text, source);
  const parsed = ScenarioSchema.safeParse(data, { error: scenarioErrorMap });
  if (!parsed.success)
    throw invalidScenario(
      source,
      parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  const issues = scenarioReferenceIssues(parsed.data);
  if (issues.length > 0) throw invalidScenario(source, issues);
  return deepFreeze(parsed.data);
}

export function invalidScenario(source: string, issues: FieldIssue[]): ValidationError {
  return new ValidationError(`Scenario ${source}`, issues, {
    code: ErrorCode.InvalidScenario,
    context: { source },
  });
}

function parseYaml(text: string, source: string): unknown {
  const read = readYaml(text);
  if (!read.ok)
    throw invalidScenario(source, [
      { path: `line ${read.line}`, message: `not valid YAML: ${read.message}` },
    ]);
  return read.data;
}

/** A missing field says "required"; the rest reads as the inventory's messages do. */
const scenarioErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return `required (${issue.expected})`;
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  return inventoryErrorMap(issue);
};
