import { webApi } from '@slack/bolt';
import type { MarshalConfig } from '../config/marshal-config.js';
import { effectiveAccess } from '../kit/access.js';
import type { WorkflowCatalog } from '../kit/catalog.js';
import { AccessControl } from '../slack/auth/access-control.js';
import { SlackUsergroupDirectory, type UsergroupDirectory } from '../slack/auth/usergroup-directory.js';

/** Without a Slack token a terminal cannot read user groups: a group then grants nothing (fails closed). */
const noGroups: UsergroupDirectory = {
  members: (groupId) =>
    Promise.reject(new Error(`user group ${groupId} cannot be read without SLACK_BOT_TOKEN`)),
};

/**
 * The same access lists as Slack's (workflow defaults overridden by the config), for a terminal. User
 * groups are read through Slack's Web API when SLACK_BOT_TOKEN is set (SLACK_API_URL as for `serve`).
 */
export function cliAccessControl(
  config: MarshalConfig,
  catalog: WorkflowCatalog,
  env: NodeJS.ProcessEnv = process.env,
): AccessControl {
  const token = env.SLACK_BOT_TOKEN?.trim();
  const directory = token
    ? new SlackUsergroupDirectory(
        new webApi.WebClient(token, env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
      )
    : noGroups;
  return new AccessControl(effectiveAccess(config.access, catalog), directory);
}
