import { randomInt } from 'node:crypto';

/**
 * A random block of loopback addresses for one fleet: 127.A.B.1… with A and B random, so fleets in
 * parallel test processes almost never meet (and a clash is detected at bind time and retried).
 * 127.0.x.x is left alone: other local services live there.
 */
export function loopbackBlock(count: number): string[] {
  const a = randomInt(16, 250);
  const b = randomInt(0, 200);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`127.${a}.${b + Math.floor(i / 250)}.${1 + (i % 250)}`);
  return out;
}

export function randomLoopbackAddress(): string {
  return `127.${randomInt(16, 250)}.${randomInt(200, 256)}.${randomInt(1, 255)}`;
}
