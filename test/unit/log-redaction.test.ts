import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from '../../src/log/index.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('logger redaction', () => {
  it('never writes tokens, secrets or private keys in structured fields', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'info' });
    log.info(
      {
        token: 'xoxb-123456789-secret',
        slack: { signingSecret: 'abc123', botToken: 'xoxb-9' },
        privateKey: 'PEM',
      },
      'started',
    );
    const text = out.lines().join('\n');
    expect(text).toContain('started');
    expect(text).not.toContain('xoxb-123456789-secret');
    expect(text).not.toContain('abc123');
    expect(text).not.toContain('PEM');
    expect(text).toContain('[REDACTED]');
  });

  it('scrubs Slack tokens, PEM blocks and password pairs out of free text', () => {
    const pem = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const text = `token xoxb-1111-2222-abcd and ${pem} password=hunter2 Authorization: Bearer abcdefghijkl`;
    const scrubbed = scrubSecrets(text);
    expect(scrubbed).not.toMatch(/xoxb-1111|AAAA|hunter2|abcdefghijkl/);
  });
});
