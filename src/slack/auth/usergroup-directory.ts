import { z } from 'zod';

/** Who is in a Slack user group. Only what access checks need. */
export interface UsergroupDirectory {
  members(groupId: string): Promise<ReadonlySet<string>>;
}

/** The one Web API method the directory calls (a Bolt `WebClient` fits). */
export interface UsergroupsClient {
  usergroups: { users: { list(args: { usergroup: string }): Promise<unknown> } };
}

const UsersListResponse = z.object({ ok: z.literal(true), users: z.array(z.string()) });

/**
 * Resolves user groups through `usergroups.users.list`, cached briefly: a burst of clicks on one card
 * costs one call, and removing someone from a group in Slack takes effect within `ttlMs`.
 * A failed lookup is not cached and fails the check (closed).
 */
export class SlackUsergroupDirectory implements UsergroupDirectory {
  private readonly cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();

  constructor(
    private readonly client: UsergroupsClient,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  members(groupId: string): Promise<ReadonlySet<string>> {
    const hit = this.cache.get(groupId);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.members;
    const members = this.client.usergroups.users
      .list({ usergroup: groupId })
      .then((res) => new Set(UsersListResponse.parse(res).users) as ReadonlySet<string>);
    this.cache.set(groupId, { at: this.now(), members });
    members.catch(() => this.cache.delete(groupId));
    return members;
  }
}
