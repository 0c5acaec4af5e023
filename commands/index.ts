import type { App } from '@slack/bolt';
import type { SlackDeps } from '../src/slack/app/slack-deps.js';
import { certCommand } from './cert.js';
import { configCommand } from './config.js';
import { drDrillCommand } from './drdrill.js';
import { opsCommand } from './ops.js';
import { osUpgradeCommand } from './osupgrade.js';
import { commandListener } from './support/listener.js';

/** Registers every slash command with Bolt. Nothing else happens here. */
export function registerCommands(app: App, deps: SlackDeps): void {
  app.command(configCommand.name, commandListener(configCommand, deps));
  app.command(certCommand.name, commandListener(certCommand, deps));
  app.command(osUpgradeCommand.name, commandListener(osUpgradeCommand, deps));
  app.command(drDrillCommand.name, commandListener(drDrillCommand, deps));
  app.command(opsCommand.name, commandListener(opsCommand, deps));
}
