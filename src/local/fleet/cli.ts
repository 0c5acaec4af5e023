/**
 * A fleet for manual use: `npx tsx src/local/fleet/cli.ts up 20` starts 20 sshd hosts, prints how to
 * reach them, and tears everything down on Ctrl-C.
 */
import { SshFleet } from './ssh-fleet.js';

async function main(): Promise<void> {
  const [verb, countText] = process.argv.slice(2);
  const count = Number(countText ?? '5');
  if (verb !== 'up' || !Number.isInteger(count) || count < 1) {
    process.stderr.write('usage: tsx src/local/fleet/cli.ts up <count>\n');
    process.exit(2);
  }
  const started = Date.now();
  const fleet = await SshFleet.start({ count, name: 'demo' });
  process.stdout.write(`${count} hosts up in ${((Date.now() - started) / 1000).toFixed(2)} s\n`);
  for (const h of fleet.hosts) process.stdout.write(`${h.name}\t${h.address}:${h.port}\n`);
  const first = fleet.hosts[0]!;
  process.stdout.write(
    `\nknown_hosts: ${fleet.knownHostsPath}\nkey:         ${fleet.privateKeyPath}\n` +
      `try:         ssh -i ${fleet.privateKeyPath} -o UserKnownHostsFile=${fleet.knownHostsPath} -o StrictHostKeyChecking=yes root@${first.address} cat /etc/os-release\n` +
      `Ctrl-C tears the fleet down.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void fleet.stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}

void main();
