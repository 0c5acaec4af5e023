import { describe, expect, it } from 'vitest';
import { describeSentinelUrl, sentinelOptions } from '../../../src/engine/runtime/redis-sentinel-url.js';

describe('redis+sentinel:// URLs', () => {
  it('gives ioredis the sentinels, the primary name, the password and the db', () => {
    const o = sentinelOptions('redis+sentinel://:s3cret@10.0.0.1:26379,sentinel-2:26380/marshal/2');
    expect(o).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: 'sentinel-2', port: 26380 },
      ],
      name: 'marshal',
      password: 's3cret',
      db: 2,
      failoverDetector: true,
    });
  });

  it('refuses a URL without a primary name or with a bad sentinel address', () => {
    expect(() => sentinelOptions('redis+sentinel://127.0.0.1:26379')).toThrow(/<primary name>/);
    expect(() => sentinelOptions('redis+sentinel://127.0.0.1/marshal')).toThrow(/is not host:port/);
  });

  it('never shows the password in messages', () => {
    expect(describeSentinelUrl('redis+sentinel://:s3cret@h:26379/m')).toBe('redis+sentinel://***@h:26379/m');
  });
});
