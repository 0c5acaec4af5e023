import type { IncomingMessage } from 'node:http';

/** Largest body the stand-in reads; Slack's own limit is larger, but nothing Marshal sends comes close. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type ParsedBody =
  { ok: true; args: Record<string, unknown>; bearer?: string } | { ok: false; error: string };

/**
 * Reads a Web API request the ways Slack accepts it: `application/json` or
 * `application/x-www-form-urlencoded` (what @slack/web-api sends, with `blocks` as a JSON string), plus
 * query-string arguments. The token comes from `Authorization: Bearer …` or a `token` argument.
 */
export async function parseRequest(req: IncomingMessage): Promise<ParsedBody> {
  const raw = await readBody(req);
  if (raw === undefined) return { ok: false, error: 'request_timeout' };
  const url = new URL(req.url ?? '/', 'http://standin');
  const args: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length > 0) {
    if (type === 'application/json') {
      try {
        const body = JSON.parse(raw) as unknown;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          return { ok: false, error: 'invalid_json' };
        Object.assign(args, body);
      } catch {
        return { ok: false, error: 'invalid_json' };
      }
    } else if (type === 'application/x-www-form-urlencoded') {
      Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
    } else if (type === '') {
      return { ok: false, error: 'missing_post_type' };
    } else {
      return { ok: false, error: 'invalid_post_type' };
    }
  }
  const auth = req.headers.authorization;
  const bearer = auth?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer === undefined ? { ok: true, args } : { ok: true, args, bearer };
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
