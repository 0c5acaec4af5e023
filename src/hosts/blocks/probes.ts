import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HealthProbe, ProbeResult } from './types.js';

const DAY_MS = 24 * 60 * 60_000;

/**
 * One probe of a service from Marshal's side of the network: a TCP connect, an HTTP(S) request, or a TLS
 * handshake with the certificate verified. Never throws: a failure is a result with what was seen.
 */
export function probe(spec: HealthProbe, timeoutMs = 5000): Promise<ProbeResult> {
  switch (spec.kind) {
    case 'tcp':
      return tcpProbe(spec.host, spec.port, timeoutMs);
    case 'http':
      return httpProbe(spec, timeoutMs);
    case 'tls':
      return tlsProbe(spec, timeoutMs);
  }
}

export function describeProbe(spec: HealthProbe): string {
  switch (spec.kind) {
    case 'tcp':
      return `TCP ${spec.host}:${spec.port}`;
    case 'http':
      return `HTTP ${spec.url}`;
    case 'tls':
      return `TLS ${spec.servername ?? spec.host} at ${spec.host}:${spec.port}`;
  }
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `no connection within ${timeoutMs} ms` }));
    socket.once('connect', () => done({ ok: true, detail: 'connected' }));
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, detail: err.code ?? err.message }),
    );
  });
}

function httpProbe(spec: Extract<HealthProbe, { kind: 'http' }>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      resolve({ ok: false, detail: `not a URL: ${spec.url}` });
      return;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', timeout: timeoutMs, headers: { connection: 'close' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        // Enough of the body to find the expected text; the rest is dropped.
        if (size < 64 * 1024) chunks.push(chunk);
        size += chunk.length;
      });
      res.once('end', () => {
        const status = res.statusCode ?? 0;
        const statusOk = spec.expectStatus
          ? spec.expectStatus.includes(status)
          : status >= 200 && status < 300;
        const body = Buffer.concat(chunks).toString('utf8');
        const bodyOk = spec.expectBody === undefined || body.includes(spec.expectBody);
        resolve({
          ok: statusOk && bodyOk,
          detail:
            statusOk && !bodyOk ? `HTTP ${status}, body without "${spec.expectBody}"` : `HTTP ${status}`,
        });
      });
      res.once('error', (err) => resolve({ ok: false, detail: err.message }));
    });
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, detail: err.code ?? err.message }),
    );
    req.end();
  });
}

function tlsProbe(spec: Extract<HealthProbe, { kind: 'tls' }>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const servername = spec.servername ?? spec.host;
    const socket = tlsConnect({
      host: spec.host,
      port: spec.port,
      servername,
      ...(spec.ca !== undefined ? { ca: spec.ca } : {}),
      rejectUnauthorized: true,
    });
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `no handshake within ${timeoutMs} ms` }));
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const expires = Date.parse(cert.valid_to);
      const daysLeft = Math.floor((expires - Date.now()) / DAY_MS);
      if (spec.minValidDays !== undefined && daysLeft < spec.minValidDays)
        return done({ ok: false, detail: `certificate for ${servername} expires in ${daysLeft} days` });
      done({ ok: true, detail: `verified certificate for ${servername}, ${daysLeft} days left` });
    });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, detail: err.code ?? err.message }),
    );
  });
}
