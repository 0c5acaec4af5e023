/**
 * V8 flags Marshal's processes run with in production (Dockerfile ENTRYPOINT, deploy/*.service,
 * bin/marshal.js's shebang; a test holds them to this list, bench/worker-rss.ts measures with it).
 *
 * A semi-space of 4 MB instead of V8's 16: a busy worker allocates fast (one host step after another
 * with no I/O wait in between), and the young generation then grows to its maximum before each
 * scavenge. Capped, a 10,000-host rollout peaked at 139–146 MB instead of 161–165 MB, and the CPU per
 * host step was the same (bench/host-cost.ts, 4,000 hosts, interleaved: 0.22–0.25 ms either way).
 */
export const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=4'] as const;
