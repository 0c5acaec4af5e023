import type { HostExecutor } from '../../hosts/executor.js';
import type { Host } from '../../hosts/host.js';
import { sh } from '../../hosts/quote.js';

/**
 * Debian's nginx on a fleet host (src/local/fleet), serving one TLS site on the host's own loopback
 * address: the served endpoint the certificate workflow deploys to and checks. Everything nginx writes
 * (config, pid, logs, temp files) is under the host's private mounts, so hosts never share state, and
 * nginx is started over SSH like the workflow would, inside the host's mount namespace (the fleet's
 * stop() ends it with the host).
 */
export interface NginxSite {
  /** The address nginx listens on: the host's own. */
  address: string;
  port: number;
  serverNames: readonly string[];
  /** Where the certificate (leaf then intermediates) and key are on the host. */
  certificatePath: string;
  keyPath: string;
}

/** Per-host paths: /etc/marshal-apps and /var/lib/marshal-host are private to each fleet host. */
export const NGINX_PATHS = {
  config: '/etc/marshal-apps/nginx/nginx.conf',
  pid: '/var/lib/marshal-host/nginx.pid',
  errorLog: '/var/lib/marshal-host/nginx-error.log',
  temp: '/tmp/nginx',
} as const;

/** The service commands a certificate definition names for this nginx (argument lists). */
export const NGINX_COMMANDS = {
  test: ['nginx', '-t', '-q', '-e', NGINX_PATHS.errorLog, '-c', NGINX_PATHS.config],
  reload: ['nginx', '-e', NGINX_PATHS.errorLog, '-c', NGINX_PATHS.config, '-s', 'reload'],
} as const;

/** nginx.conf for one TLS site; the body of each response names the host, so tests see who answered. */
export function renderNginxConfig(site: NginxSite, hostName: string): string {
  const t = NGINX_PATHS.temp;
  return `# Written by Marshal's local fleet (src/local/acme/fleet-nginx.ts).
worker_processes 1;
pid ${NGINX_PATHS.pid};
error_log ${NGINX_PATHS.errorLog} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${t}/body;
  proxy_temp_path ${t}/proxy;
  fastcgi_temp_path ${t}/fastcgi;
  uwsgi_temp_path ${t}/uwsgi;
  scgi_temp_path ${t}/scgi;
  server {
    listen ${site.address}:${site.port} ssl;
    server_name ${site.serverNames.join(' ')};
    ssl_certificate ${site.certificatePath};
    ssl_certificate_key ${site.keyPath};
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { return 200 "${hostName}\\n"; }
  }
}
`;
}

/** Writes the config over SFTP, checks it with `nginx -t`, and starts nginx (or reloads a running one). */
export async function startNginx(executor: HostExecutor, host: Host, site: NginxSite): Promise<void> {
  await executor.exec(host, sh`mkdir -p /etc/marshal-apps/nginx ${NGINX_PATHS.temp}`);
  await executor.upload(host, {
    path: NGINX_PATHS.config,
    content: renderNginxConfig(site, host.name),
    mode: 0o644,
  });
  const test = await executor.exec(host, sh`${NGINX_COMMANDS.test}`);
  if (test.exitCode !== 0) throw new Error(`nginx -t on ${host.name} failed: ${test.stderr.trim()}`);
  const running = await executor.exec(
    host,
    sh`test -s ${NGINX_PATHS.pid} && kill -0 "$(cat ${NGINX_PATHS.pid})"`,
  );
  const start =
    running.exitCode === 0
      ? await executor.exec(host, sh`${NGINX_COMMANDS.reload}`)
      : await executor.exec(host, sh`nginx -e ${NGINX_PATHS.errorLog} -c ${NGINX_PATHS.config}`);
  if (start.exitCode !== 0) throw new Error(`nginx on ${host.name} did not start: ${start.stderr.trim()}`);
}

/** Stops nginx on the host (fast shutdown) and waits until it has exited. */
export async function stopNginx(executor: HostExecutor, host: Host): Promise<void> {
  await executor.exec(
    host,
    sh`if test -s ${NGINX_PATHS.pid}; then pid="$(cat ${NGINX_PATHS.pid})"; kill -TERM "$pid" 2>/dev/null; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; fi`,
  );
}
