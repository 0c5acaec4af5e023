import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { debianOsRelease } from './fleet/os-release.js';

export interface SlotImage {
  path: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * An image for the fleet's A/B tool (`abctl install`): a tar with `os-release` at its top and a payload of
 * `payloadBytes`, so downloads take disk room and time like a real image.
 */
export function buildSlotImage(
  dir: string,
  name: string,
  osRelease: string,
  payloadBytes = 256 * 1024,
): SlotImage {
  const work = join(dir, `${name}.d`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'os-release'), osRelease);
  writeFileSync(join(work, 'payload.bin'), Buffer.alloc(payloadBytes, name));
  const path = join(dir, `${name}.img`);
  const tar = spawnSync('tar', ['-cf', path, '-C', work, 'os-release', 'payload.bin'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`tar failed building ${path}: ${tar.stderr}`);
  rmSync(work, { recursive: true, force: true });
  const content = readFileSync(path);
  return { path, sha256: createHash('sha256').update(content).digest('hex'), sizeBytes: statSync(path).size };
}

/** A release's os-release text: Debian's layout with the given VERSION_ID (e.g. `12.7`). */
export function releaseOsRelease(version: string): string {
  const major = Number(version.split('.')[0]);
  const base = debianOsRelease(major === 11 || major === 13 ? major : 12);
  return base.replace(/VERSION_ID="[^"]*"/, `VERSION_ID="${version}"`);
}

/** The image server hosts fetch from: plain HTTP on a loopback address, files from one directory. */
export class ImageServer {
  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    /** The image names asked for, in order. */
    readonly requests: string[],
  ) {}

  static async start(dir: string, host = '127.0.0.1'): Promise<ImageServer> {
    const requests: string[] = [];
    const server = createServer((req, res) => {
      const name = basename(decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/'));
      requests.push(name);
      let size: number;
      try {
        size = statSync(join(dir, name)).size;
      } catch {
        res.writeHead(404).end('no such image\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      createReadStream(join(dir, name)).pipe(res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, resolve);
    });
    const { port } = server.address() as AddressInfo;
    return new ImageServer(server, `http://${host}:${port}`, requests);
  }

  url(image: SlotImage): string {
    return `${this.baseUrl}/${basename(image.path)}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
