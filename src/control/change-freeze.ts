import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { FreezeWindow } from '../config/marshal-config.js';
import { activeWindow, windowEnd } from './freeze-windows.js';

const ManualFreeze = z.object({ reason: z.string(), by: z.string(), at: z.string(), until: z.string() });

/** Why new runs are refused right now. */
export type Freeze =
  | { source: 'manual'; reason: string; by: string; at: string; until: string }
  /** `until`: when the declared window ends (to the minute), when it ends within eight days. */
  | { source: 'window'; reason: string; window: string; until?: string };

/**
 * The change freeze: one set with `/ops freeze` (kept in Redis until it expires, so every process sees
 * it and it ends by itself) or a window declared in Marshal's config (weekends, release days).
 */
export class ChangeFreeze {
  constructor(
    private readonly redis: Pick<Redis, 'get' | 'set' | 'del'>,
    private readonly prefix: string,
    private readonly windows: readonly FreezeWindow[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async current(): Promise<Freeze | undefined> {
    const raw = await this.redis.get(this.key());
    if (raw) {
      const parsed = ManualFreeze.safeParse(JSON.parse(raw));
      if (parsed.success) return { source: 'manual', ...parsed.data };
    }
    const now = this.now();
    const window = activeWindow(this.windows, now);
    if (window) {
      const until = windowEnd(window, now);
      return {
        source: 'window',
        window: window.name,
        reason: window.reason ?? `declared freeze "${window.name}"`,
        ...(until ? { until: until.toISOString() } : {}),
      };
    }
    return undefined;
  }

  async freeze(durationMs: number, reason: string, by: string): Promise<Freeze> {
    const at = this.now();
    const freeze = {
      reason,
      by,
      at: at.toISOString(),
      until: new Date(at.getTime() + durationMs).toISOString(),
    };
    await this.redis.set(this.key(), JSON.stringify(freeze), 'PX', durationMs);
    return { source: 'manual', ...freeze };
  }

  /** Ends a manual freeze early; true if there was one. Declared windows are lifted in the config only. */
  async lift(): Promise<boolean> {
    return (await this.redis.del(this.key())) > 0;
  }

  private key(): string {
    return `${this.prefix}:freeze`;
  }
}

/** One line for cards and refusals. */
export function describeFreeze(f: Freeze): string {
  return f.source === 'manual'
    ? `change freeze until ${f.until} by ${f.by}: ${f.reason}`
    : `change freeze (${f.window})${f.until ? ` until ${f.until}` : ''}: ${f.reason}`;
}
