import type { App } from '@slack/bolt';
import type { SlackDeps } from '../src/slack/app/slack-deps.js';
import { claimedCommand } from './claimed.js';
import { marshalCommand } from './marshal.js';
import { opsCommand } from './ops.js';
import { commandListener } from './support/listener.js';

/**
 * Registers every slash command with Bolt: `/marshal` (every workflow), `/ops` (runs), and the commands
 * the loaded workflows claimed. Nothing else happens here.
 */
export function registerCommands(app: App, deps: SlackDeps): void {
  const catalog = deps.workflows;
  app.command('/marshal', commandListener(marshalCommand(catalog), deps));
  app.command(opsCommand.name, commandListener(opsCommand, deps));
  for (const [name, claimants] of catalog.claims()) {
    const command = claimedCommand(catalog, name as `/${string}`, claimants);
    app.command(command.name, commandListener(command, deps));
  }
}
