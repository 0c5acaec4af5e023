import { isSentinelUrl, sentinelOptions } from '../engine/runtime/redis-sentinel-url.js';
import { z } from 'zod';
import { InvalidConfigError, type ConfigProblem } from './invalid-config-error.js';
import { deepFreeze } from './deep-freeze.js';

/**
 * Marshal's settings from the environment, parsed once at start-up into a frozen object. Empty
 * variables count as unset, so `SLACK_APP_TOKEN=` in a .env file means HTTP mode, not a bad token.
 */
const HOW_TO_FIX: Record<string, string> = {
  SLACK_BOT_TOKEN:
    'Set it to the Bot User OAuth Token (starts with xoxb-) from the app’s "OAuth & Permissions" page',
  SLACK_SIGNING_SECRET: 'Set it to the Signing Secret from the app’s "Basic Information" page',
  SLACK_APP_TOKEN:
    'Leave it unset for HTTP mode, or set it to an app-level token (starts with xapp-, scope connections:write) for Socket Mode',
  SLACK_API_URL: 'Leave it unset for https://slack.com/api/, or set an http(s) URL ending in /',
  REDIS_URL:
    'Set it to redis://host:port (or rediss:// for TLS), e.g. redis://127.0.0.1:6379, or for Redis behind Sentinel redis+sentinel://host:26379,host:26379/<primary name>',
  PORT: 'Set it to a TCP port between 1 and 65535 (default 3000)',
  MARSHAL_CONFIG: 'Set it to the path of Marshal’s YAML config file (see examples/marshal.yaml)',
  MARSHAL_PREFIX: 'Leave it unset for `marshal`, or use letters, digits, - and _ (at most 40)',
  MARSHAL_ALLOW_EPHEMERAL_REDIS:
    'Leave it unset (Redis must keep its data across a restart), or set it to 1 for a throwaway Redis only',
};

const blankIsUnset = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** What every Marshal process needs: workers and terminal runs too, which never talk to Slack. */
const CoreEnvSchema = z.object({
  REDIS_URL: z.preprocess(
    blankIsUnset,
    z
      .string({ error: 'is not set' })
      .regex(
        /^(rediss?|redis\+sentinel):\/\/[^\s]+$/,
        'is not a redis://, rediss:// or redis+sentinel:// URL',
      )
      .refine((url) => !isSentinelUrl(url) || sentinelUrlProblem(url) === undefined, {
        error: (issue) => sentinelUrlProblem(String(issue.input)) ?? 'is not a valid redis+sentinel:// URL',
      }),
  ),
  MARSHAL_CONFIG: z.preprocess(blankIsUnset, z.string({ error: 'is not set' })),
  MARSHAL_PREFIX: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,40}$/, 'has characters other than letters, digits, - and _ (or is too long)')
      .default('marshal'),
  ),
  MARSHAL_ALLOW_EPHEMERAL_REDIS: z.preprocess(
    blankIsUnset,
    z
      .enum(['1', 'true', 'yes', '0', 'false', 'no'], { error: 'is not 1 or 0' })
      .transform((v) => ['1', 'true', 'yes'].includes(v))
      .default(false),
  ),
});

const EnvSchema = CoreEnvSchema.extend({
  SLACK_BOT_TOKEN: z.preprocess(
    blankIsUnset,
    z
      .string({ error: 'is not set' })
      .regex(/^xoxb-[A-Za-z0-9-]+$/, 'is not a bot token (must start with xoxb-)'),
  ),
  SLACK_SIGNING_SECRET: z.preprocess(
    blankIsUnset,
    z
      .string({ error: 'is not set' })
      .regex(/^[A-Za-z0-9]{16,}$/, 'does not look like a signing secret (16+ letters and digits)'),
  ),
  SLACK_APP_TOKEN: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^xapp-[A-Za-z0-9-]+$/, 'is not an app-level token (must start with xapp-)')
      .optional(),
  ),
  SLACK_API_URL: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^https?:\/\/[^\s]+\/$/, 'is not an http(s) URL ending in /')
      .default('https://slack.com/api/'),
  ),
  PORT: z.preprocess(
    blankIsUnset,
    z
      .string()
      .regex(/^\d{1,5}$/, 'is not a whole number')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 65535, 'is out of range')
      .default(3000),
  ),
});

export interface CoreSettings {
  readonly redisUrl: string;
  readonly configPath: string;
  /** Key prefix of everything Marshal keeps in Redis. */
  readonly prefix: string;
  /** MARSHAL_ALLOW_EPHEMERAL_REDIS: start on a Redis without persistence (throwaway use only). */
  readonly allowEphemeralRedis?: boolean;
}

export interface Settings extends CoreSettings {
  readonly slack: {
    readonly botToken: string;
    readonly signingSecret: string;
    /** Set → Socket Mode; unset → HTTP at /slack/events on `port`. */
    readonly appToken: string | undefined;
    readonly apiUrl: string;
  };
  readonly port: number;
}

/** Reads the settings from `env` (default: process.env). Throws InvalidConfigError naming every bad variable. */
export function loadSettings(env: Record<string, string | undefined> = process.env): Settings {
  const e = parseEnv(EnvSchema, env);
  return deepFreeze({
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    configPath: e.MARSHAL_CONFIG,
    prefix: e.MARSHAL_PREFIX,
    allowEphemeralRedis: e.MARSHAL_ALLOW_EPHEMERAL_REDIS,
  });
}

/** The settings of processes that never talk to Slack (`marshal worker`, `run`, `status`). */
export function loadCoreSettings(env: Record<string, string | undefined> = process.env): CoreSettings {
  const e = parseEnv(CoreEnvSchema, env);
  return deepFreeze({
    redisUrl: e.REDIS_URL,
    configPath: e.MARSHAL_CONFIG,
    prefix: e.MARSHAL_PREFIX,
    allowEphemeralRedis: e.MARSHAL_ALLOW_EPHEMERAL_REDIS,
  });
}

function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      // Every message above is ours and describes the value without quoting it (it may be a secret).
      return { where: variable, problem: issue.message, fix: HOW_TO_FIX[variable] ?? 'Check its value' };
    });
    throw new InvalidConfigError('The environment', problems);
  }
  return parsed.data;
}

/** What is wrong with a `redis+sentinel://` URL, or undefined. */
function sentinelUrlProblem(url: string): string | undefined {
  try {
    sentinelOptions(url);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
