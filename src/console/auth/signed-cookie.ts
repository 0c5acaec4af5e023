import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/**
 * A value kept in a browser cookie that the browser can read but not change: base64url JSON, a dot, and
 * an HMAC under a key only the console has. Expired or tampered, it reads as nothing. Pure (no I/O).
 */
export class SignedCookie<S extends z.ZodType> {
  constructor(
    private readonly key: Buffer,
    /** Keeps cookies of one purpose (a session) from being taken for another (a sign-in in progress). */
    private readonly purpose: string,
    private readonly schema: S,
  ) {}

  seal(value: z.infer<S>, ttlMs: number, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ v: value, exp: now + ttlMs })).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  open(raw: string | undefined, now = Date.now()): z.infer<S> | undefined {
    if (!raw) return undefined;
    const dot = raw.lastIndexOf('.');
    if (dot < 1) return undefined;
    const body = raw.slice(0, dot);
    const mac = Buffer.from(raw.slice(dot + 1));
    const expected = Buffer.from(this.mac(body));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        v?: unknown;
        exp?: unknown;
      };
      if (typeof parsed.exp !== 'number' || parsed.exp <= now) return undefined;
      const value = this.schema.safeParse(parsed.v);
      return value.success ? value.data : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`${this.purpose}|${body}`).digest('base64url');
  }
}

/** One cookie's value from a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) {
      try {
        return decodeURIComponent(v.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
