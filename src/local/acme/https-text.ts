import { request } from 'node:https';

/** GETs `url` over HTTPS trusting only `caPem` (a test server's own root), and returns the body. */
export function httpsGetText(url: string, caPem: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ca: caPem, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 400)
          reject(new Error(`GET ${url}: HTTP ${res.statusCode}: ${body.trim()}`));
        else resolve(body);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
