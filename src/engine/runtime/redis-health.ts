import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';
import { connectionErrorText, isConnectionError } from './redis-connection.js';

interface ErrorSource {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * One process's view of its Redis: reachable or not, and whether the runtime watch found something
 * wrong with it (an evicting policy, lost data). A Redis outage is reported once when the primary
 * connection fails and once when it is back, however many clients and commands are waiting on it.
 */
export class RedisHealth {
  private downSince: number | undefined;
  private problem: string | undefined;

  constructor(
    private readonly logger: Logger,
    /** REDIS_URL with its password redacted. */
    readonly where: string,
  ) {}

  get reachable(): boolean {
    return this.downSince === undefined;
  }

  /** Ready to work: Redis answers and nothing found at runtime makes it unsafe. */
  readiness(): { ready: boolean; why?: string } {
    if (this.downSince !== undefined)
      return { ready: false, why: `Redis at REDIS_URL=${this.where} is unreachable` };
    if (this.problem) return { ready: false, why: this.problem };
    return { ready: true };
  }

  /** Set by the runtime watch: a reason Redis is not safe to work on (undefined: none any more). */
  setProblem(problem: string | undefined): void {
    this.problem = problem;
  }

  /** The connection whose state stands for Redis's: its failures and recoveries are reported. */
  watchPrimary(client: Redis): void {
    client.on('error', (err: Error) => {
      if (!isConnectionError(err)) {
        this.logger.error({ err }, 'Redis connection error');
        return;
      }
      if (this.downSince !== undefined) return;
      this.downSince = Date.now();
      this.logger.warn(
        { redis: this.where, error: connectionErrorText(err) },
        `Redis at REDIS_URL=${this.where} is unreachable (${connectionErrorText(err)}); work waits until it is back`,
      );
    });
    client.on('ready', () => {
      if (this.downSince === undefined) return;
      const seconds = ((Date.now() - this.downSince) / 1000).toFixed(1);
      this.downSince = undefined;
      this.logger.warn(
        { redis: this.where, downSeconds: Number(seconds) },
        `Redis at REDIS_URL=${this.where} is reachable again after ${seconds} s`,
      );
    });
  }

  /**
   * Any other client (extra connections, BullMQ Workers and Queues): connection errors are expected
   * while Redis is down and already reported by the primary; anything else is logged.
   */
  watch(source: ErrorSource, name: string): void {
    source.on('error', (err: Error) => this.clientError(err, name));
  }

  clientError(err: unknown, name: string): void {
    if (err instanceof Error && /^Missing key for job /.test(err.message)) {
      // BullMQ finishing a job whose keys are gone: Redis lost its data (reported as such elsewhere).
      this.logger.warn(
        { client: name, error: err.message },
        'a job finished whose record is gone from Redis',
      );
      return;
    }
    if (isConnectionError(err) || !this.reachable) {
      this.logger.debug({ client: name, error: connectionErrorText(err) }, 'Redis client error');
      return;
    }
    this.logger.error({ err, client: name }, 'Redis client error');
  }
}
