import { Redis } from 'ioredis';

/** CPU seconds spent by this process and by the Redis server, from `start` to `stop`. */
export interface CpuSpent {
  nodeS: number;
  redisS: number;
}

/**
 * CPU time, not wall time: on a machine shared with other work (and with the fleet's sshd processes) wall
 * time swings from round to round, while the CPU an approach spends in its own process and in Redis is
 * what it adds to the machine's load. Redis's from INFO cpu (user + sys of the server).
 */
export class CpuMeter {
  private readonly redis: Redis;

  constructor(redisUrl: string) {
    this.redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  }

  async start(): Promise<() => Promise<CpuSpent>> {
    const node = process.cpuUsage();
    const redis = await this.redisSeconds();
    return async () => {
      const spent = process.cpuUsage(node);
      return {
        nodeS: (spent.user + spent.system) / 1e6,
        redisS: (await this.redisSeconds()) - redis,
      };
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }

  private async redisSeconds(): Promise<number> {
    if (this.redis.status === 'wait') await this.redis.connect();
    const info = await this.redis.info('cpu');
    return read(info, 'used_cpu_user') + read(info, 'used_cpu_sys');
  }
}

function read(info: string, name: string): number {
  const match = new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info);
  return match ? Number(match[1]) : 0;
}
