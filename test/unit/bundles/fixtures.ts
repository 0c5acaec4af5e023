import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The example bundle shipped in `bundles/rate-limiter`, read as text so tests can vary it. */
export const rateLimiterDir = fileURLToPath(new URL('../../../bundles/rate-limiter/', import.meta.url));
export const rateLimiterManifest = readFileSync(`${rateLimiterDir}bundle.yaml`, 'utf8');
export const rateLimiterConfig = readFileSync(`${rateLimiterDir}rate-limiter.yaml`, 'utf8');
export const allowedRoots = ['/etc/marshal-apps'];
