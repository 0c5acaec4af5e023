import type { LockInfo } from '../../engine/model/run.js';
import { html, type Html } from './html.js';

export interface LocksView {
  /** Each lock, and whether the viewer may release it (may abort the run holding it). */
  locks: (LockInfo & { releasable: boolean })[];
  csrf: string;
}

/**
 * Locks held now: what is locked, by which run, why, until when (renewed while the run works). A lock
 * ends with its run, so releasing one aborts the run that holds it (no new hosts, cleanup runs), as
 * Slack's abort does, and only for whom may abort that run.
 */
export function locksPage(view: LocksView): Html {
  const { locks } = view;
  return html`<h1>Locks</h1>
    ${
      locks.length === 0
        ? html`<p class="empty">No locks are held.</p>`
        : html`<table id="locks" class="locks">
            <thead>
              <tr>
                <th>Lock</th>
                <th>Held by run</th>
                <th>Why</th>
                <th>Expires unless renewed</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${locks.map(
                (l) =>
                  html`<tr data-lock="${l.name}">
                    <td>${l.name}</td>
                    <td><a href="/runs/${encodeURIComponent(l.owner)}">${l.owner}</a></td>
                    <td>${l.reason}</td>
                    <td>${l.expiresAt}</td>
                    <td>
                      ${
                        l.releasable
                          ? html`<form method="post" action="/locks/release" class="control">
                              <input type="hidden" name="_csrf" value="${view.csrf}" />
                              <input type="hidden" name="lock" value="${l.name}" />
                              <button type="submit" class="btn abort" data-control="release-lock">
                                Release (abort ${l.owner})
                              </button>
                            </form>`
                          : ''
                      }
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <p class="hint">
      A lock ends with its run: releasing it aborts that run (no new hosts start; cleanup runs).
    </p>`;
}
