import { CONFIG_USAGE, parseConfigCommand } from '../../commands/parse/config-command.js';
import { ValidationError } from '../errors/index.js';

/** What `marshal run <workflow> …` asks the engine for. */
export interface TerminalRunRequest {
  workflow: string;
  params: Record<string, unknown>;
  dryRun: boolean;
}

/**
 * Turns the words after `marshal run <workflow>` into a run request. Built-in workflows take the same
 * words as their slash command (`marshal run config-push rate-limiter to role=web --canary 1` is
 * `/config push rate-limiter to role=web --canary 1`), so an operator learns one syntax; any workflow
 * also takes `--params '<json>'`.
 */
export function parseRunArguments(workflow: string, words: readonly string[]): TerminalRunRequest {
  const paramsAt = words.indexOf('--params');
  if (paramsAt >= 0) {
    const json = words[paramsAt + 1];
    const rest = words.filter((_, i) => i !== paramsAt && i !== paramsAt + 1);
    const unexpected = rest.filter((w) => w !== '--dry-run');
    if (unexpected.length > 0) {
      throw new ValidationError('marshal run', [
        { path: unexpected[0]!, message: 'is not allowed beside --params; put every parameter in the JSON' },
      ]);
    }
    return { workflow, params: parseJsonParams(json), dryRun: rest.includes('--dry-run') };
  }
  if (workflow === 'config-push') {
    const parsed = parseConfigCommand(['push', ...words.map(shellWordForTokenizer)].join(' '));
    if (parsed.kind === 'help') {
      throw new ValidationError('marshal run config-push', [
        {
          path: '',
          message: `usage: ${CONFIG_USAGE.replace('/config push', 'marshal run config-push')}`,
        },
      ]);
    }
    return {
      workflow,
      params: { bundle: parsed.bundle, selector: parsed.selector, ...parsed.rollout },
      dryRun: parsed.dryRun,
    };
  }
  throw new ValidationError('marshal run', [
    {
      path: workflow,
      message: `takes its parameters as --params '<json>' (e.g. --params '{"selector":"role=web"}')`,
    },
  ]);
}

function parseJsonParams(json: string | undefined): Record<string, unknown> {
  if (json === undefined)
    throw new ValidationError('marshal run', [{ path: '--params', message: 'needs a JSON object after it' }]);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('marshal run', [{ path: '--params', message: 'is not valid JSON' }]);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('marshal run', [{ path: '--params', message: 'must be a JSON object' }]);
  }
  return value as Record<string, unknown>;
}

/** The shell already split the words; quote any with spaces so the slash-command tokenizer keeps them whole. */
function shellWordForTokenizer(word: string): string {
  return /[\s"'\\]/.test(word) ? `"${word.replace(/(["\\])/g, '\\$1')}"` : word;
}
