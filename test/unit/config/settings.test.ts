import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../src/config/invalid-config-error.js';
import { loadSettings } from '../../../src/config/settings.js';
import { thrownBy } from '../../support/refusal.js';

const good = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-abcdefSECRET',
  SLACK_SIGNING_SECRET: 'a1b2c3d4e5f6a7b8c9d0SECRET',
  REDIS_URL: 'redis://127.0.0.1:6379',
  MARSHAL_CONFIG: '/etc/marshal/marshal.yaml',
};

const refusal = (env: Record<string, string | undefined>): InvalidConfigError =>
  thrownBy(InvalidConfigError, () => loadSettings(env));

describe('settings from the environment', () => {
  it('reads a minimal environment with defaults: HTTP mode, port 3000, slack.com', () => {
    const s = loadSettings(good);
    expect(s).toEqual({
      slack: {
        botToken: good.SLACK_BOT_TOKEN,
        signingSecret: good.SLACK_SIGNING_SECRET,
        appToken: undefined,
        apiUrl: 'https://slack.com/api/',
      },
      redisUrl: good.REDIS_URL,
      port: 3000,
      configPath: good.MARSHAL_CONFIG,
      prefix: 'marshal',
      allowEphemeralRedis: false,
    });
  });

  it('allows a Redis without persistence only when MARSHAL_ALLOW_EPHEMERAL_REDIS says so', () => {
    expect(loadSettings({ ...good, MARSHAL_ALLOW_EPHEMERAL_REDIS: '1' }).allowEphemeralRedis).toBe(true);
    expect(loadSettings({ ...good, MARSHAL_ALLOW_EPHEMERAL_REDIS: '0' }).allowEphemeralRedis).toBe(false);
    expect(loadSettings({ ...good, MARSHAL_ALLOW_EPHEMERAL_REDIS: '' }).allowEphemeralRedis).toBe(false);
    expect(() => loadSettings({ ...good, MARSHAL_ALLOW_EPHEMERAL_REDIS: 'sure' })).toThrow(
      /MARSHAL_ALLOW_EPHEMERAL_REDIS/,
    );
  });

  it('is frozen all the way down', () => {
    const s = loadSettings(good);
    expect(Object.isFrozen(s)).toBe(true);
    expect(Object.isFrozen(s.slack)).toBe(true);
  });

  it('reads Socket Mode, a port and an API URL; an empty app token means HTTP mode', () => {
    const s = loadSettings({
      ...good,
      SLACK_APP_TOKEN: 'xapp-1-A1-secret',
      PORT: '8080',
      SLACK_API_URL: 'http://127.0.0.1:9999/api/',
    });
    expect([s.slack.appToken, s.port, s.slack.apiUrl]).toEqual([
      'xapp-1-A1-secret',
      8080,
      'http://127.0.0.1:9999/api/',
    ]);
    expect(loadSettings({ ...good, SLACK_APP_TOKEN: '' }).slack.appToken).toBeUndefined();
  });

  it('names every bad variable with how to fix it', () => {
    const err = refusal({ ...good, SLACK_BOT_TOKEN: undefined, PORT: '70000', REDIS_URL: 'localhost:6379' });
    expect(err.code).toBe('invalid_config');
    expect(err.problems.map((p) => p.where).sort()).toEqual(['PORT', 'REDIS_URL', 'SLACK_BOT_TOKEN']);
    expect(err.message).toContain('SLACK_BOT_TOKEN: is not set. Set it to the Bot User OAuth Token');
    expect(err.message).toContain('PORT: is out of range. Set it to a TCP port between 1 and 65535');
    expect(err.message).toContain('REDIS_URL: is not a redis://, rediss:// or redis+sentinel:// URL');
  });

  it('takes Redis behind Sentinel, and names what is wrong with a sentinel URL', () => {
    const err = refusal({ ...good, REDIS_URL: 'redis+sentinel://127.0.0.1:26379' });
    expect(err.problems.map((p) => p.where)).toEqual(['REDIS_URL']);
    expect(err.message).toContain('<primary name>');
    const bad = refusal({ ...good, REDIS_URL: 'redis+sentinel://s1:26379,s2:99999/marshal' });
    expect(bad.message).toContain('sentinel "s2:99999" is not host:port');
  });

  it('never echoes a secret it refuses', () => {
    const err = refusal({
      ...good,
      SLACK_BOT_TOKEN: 'xoxp-user-token-SECRET1',
      SLACK_SIGNING_SECRET: 'short-SECRET2',
      SLACK_APP_TOKEN: 'xoxb-SECRET3',
    });
    expect(err.problems.map((p) => p.where).sort()).toEqual([
      'SLACK_APP_TOKEN',
      'SLACK_BOT_TOKEN',
      'SLACK_SIGNING_SECRET',
    ]);
    const everything = JSON.stringify(err.toJSON()) + err.message;
    for (const secret of ['SECRET1', 'SECRET2', 'SECRET3']) expect(everything).not.toContain(secret);
  });
});
