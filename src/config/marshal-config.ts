import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../errors/index.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { deepFreeze } from './deep-freeze.js';

/**
 * Marshal's config file (YAML): where the inventory is, and who may start and approve each workflow.
 * Principals are Slack user ids (`U…`/`W…`) or user group ids (`S…`); groups are resolved when a check
 * is made, so a change of the group in Slack takes effect without a restart.
 */
export const Principal = z
  .string()
  .regex(
    /^[UWS][A-Z0-9]{2,}$/,
    'must be a Slack user id (U… or W…) or a user group id (S…), e.g. U012AB3CD or S0123ABCD',
  );
export type Principal = z.infer<typeof Principal>;

export const WorkflowAccess = z
  .object({
    /** Who may start the workflow (and retry its failed targets). */
    start: z.array(Principal).default([]),
    /** Who may decide its approval gates, hold, resume and abort its runs. The requester never approves. */
    approve: z.array(Principal).default([]),
  })
  .strict();
export type WorkflowAccess = z.infer<typeof WorkflowAccess>;

export const MarshalConfigSchema = z
  .object({
    /** Path of the inventory YAML, relative to this file. */
    inventory: z.string().min(1, 'must name the inventory file'),
    access: z
      .object({
        /** Workflow name → who may do what. A workflow not listed here can be started and approved by no one. */
        workflows: z.record(
          z.string().regex(/^[a-z][a-z0-9-]*$/, 'workflow names are lower-case words joined by -'),
          WorkflowAccess,
        ),
      })
      .strict(),
  })
  .strict();
export type MarshalConfig = z.infer<typeof MarshalConfigSchema>;

/** Checks a parsed YAML document. Relative paths are made absolute against `baseDir`. */
export function parseMarshalConfig(document: unknown, source: string, baseDir: string): MarshalConfig {
  const parsed = MarshalConfigSchema.safeParse(document);
  if (!parsed.success) {
    throw new InvalidConfigError(
      source,
      parsed.error.issues.map((i) => ({
        where: formatPath(i.path) || '(top level)',
        problem: i.message,
        fix: 'See examples/marshal.yaml for the expected shape',
      })),
    );
  }
  const config = parsed.data;
  return deepFreeze({
    ...config,
    inventory: isAbsolute(config.inventory) ? config.inventory : resolve(baseDir, config.inventory),
  });
}

export async function loadMarshalConfig(path: string): Promise<MarshalConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidConfigError(
      `Marshal's config file ${path}`,
      [
        {
          where: 'MARSHAL_CONFIG',
          problem: 'the file cannot be read',
          fix: 'Point MARSHAL_CONFIG at a readable YAML file',
        },
      ],
      { cause: err },
    );
  }
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (err) {
    const problem = err instanceof Error ? err.message.split('\n')[0]! : 'it is not YAML';
    throw new InvalidConfigError(path, [{ where: '(file)', problem, fix: 'Fix the YAML syntax' }], {
      cause: err,
    });
  }
  return parseMarshalConfig(document, path, dirname(path));
}
