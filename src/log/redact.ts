/**
 * Secrets must never reach a log line or a chat message. Structured fields are covered by pino's
 * `redact` paths; free text (host output, error messages) goes through `scrubSecrets`.
 */
export const REDACT_PATHS: string[] = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.password',
  '*.passphrase',
  '*.privateKey',
  '*.secret',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'password',
  'passphrase',
  'privateKey',
  'secret',
  'authorization',
];

const SECRET_PATTERNS: [RegExp, string][] = [
  // Slack tokens: bot, user, app-level, config, refresh.
  [/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, '[REDACTED]'],
  [/\bxapp-[A-Za-z0-9-]{8,}/g, '[REDACTED]'],
  // PEM private keys, whole blocks.
  [/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g, '[REDACTED]'],
  // `Authorization: Bearer …` and `password=…` style pairs keep their label, lose their value.
  [/\bBearer\s+[A-Za-z0-9._~+/-]{8,}=*/gi, 'Bearer [REDACTED]'],
  [/\b(password|passwd|secret|token|api[_-]?key)(\s*[=:]\s*)\S+/gi, '$1$2[REDACTED]'],
];

export const REDACTED = '[REDACTED]';

export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A connection URL fit for a log line or an error message: the password (and a user name given
 * without one, which Redis 5 and older take as the password) is replaced by `***`. Text that is not a
 * URL is kept but scrubbed of anything between `//` and `@`.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/]*@/, '//***@');
  }
  if (parsed.password) parsed.password = '***';
  else if (parsed.username) parsed.username = '***';
  return parsed.toString();
}
