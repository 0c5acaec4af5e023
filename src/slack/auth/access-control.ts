import type { Principal } from '../../config/marshal-config.js';
import type { AccessRights } from '../../kit/access.js';
import { NotAuthorizedError } from './not-authorized-error.js';
import type { UsergroupDirectory } from './usergroup-directory.js';

export type AccessRight = 'start' | 'approve';

/**
 * Who may start and approve which workflow: the workflow modules' defaults, overridden by Marshal's
 * config file (src/kit/access.ts). Fails closed: a workflow not
 * in the config, or a group that cannot be resolved, allows no one. Four-eyes (the requester never
 * approves their own run) is the engine's rule; Slack checks it too, only to say so clearly.
 */
export class AccessControl {
  constructor(
    private readonly access: Readonly<Record<string, AccessRights>>,
    private readonly directory: UsergroupDirectory,
  ) {}

  async allows(right: AccessRight, workflow: string, user: string): Promise<boolean> {
    return this.among(this.access[workflow]?.[right] ?? [], user);
  }

  /** Whether `user` is one of `principals` (a user id, or a member of a group among them). */
  async among(principals: readonly Principal[], user: string): Promise<boolean> {
    if (principals.includes(user)) return true;
    for (const p of principals.filter(isGroup)) {
      try {
        if ((await this.directory.members(p)).has(user)) return true;
      } catch {
        // A group we cannot read grants nothing; the other principals may still allow the user.
      }
    }
    return false;
  }

  /** Whether `user` may approve (and so control) runs of at least one workflow. */
  async approvesAny(user: string): Promise<boolean> {
    for (const workflow of Object.keys(this.access))
      if (await this.allows('approve', workflow, user)) return true;
    return false;
  }

  /** Whether `--auto-approve` may approve this workflow's gates unattended (config `unattended: true`). */
  allowsUnattended(workflow: string): boolean {
    return this.access[workflow]?.unattended === true;
  }

  /** Throws NotAuthorizedError that says who is allowed, in Slack mention syntax. */
  async require(right: AccessRight, workflow: string, user: string): Promise<void> {
    if (await this.allows(right, workflow, user)) return;
    const principals = this.access[workflow]?.[right] ?? [];
    const who = principals.length
      ? principals.map(mention).join(', ')
      : 'no one (neither the workflow nor Marshal’s config file names anyone)';
    const verb = right === 'start' ? 'start' : 'approve or control runs of';
    throw new NotAuthorizedError(`You may not ${verb} \`${workflow}\`. Allowed: ${who}.`, {
      user,
      workflow,
      action: right,
    });
  }
}

function isGroup(p: Principal): boolean {
  return p.startsWith('S');
}

function mention(p: Principal): string {
  return isGroup(p) ? `<!subteam^${p}>` : `<@${p}>`;
}
