import type { LockInfo } from '../../engine/model/run.js';
import { html, type Html } from './html.js';

/** Locks held now: what is locked, by which run, why, until when (renewed while the run works). */
export function locksPage(locks: LockInfo[]): Html {
  return html`<h1>Locks</h1>
    ${
      locks.length === 0
        ? html`<p class="empty">No locks are held.</p>`
        : html`<table class="locks">
            <thead>
              <tr>
                <th>Lock</th>
                <th>Held by run</th>
                <th>Why</th>
                <th>Expires unless renewed</th>
              </tr>
            </thead>
            <tbody>
              ${locks.map(
                (l) =>
                  html`<tr>
                    <td>${l.name}</td>
                    <td><a href="/runs/${encodeURIComponent(l.owner)}">${l.owner}</a></td>
                    <td>${l.reason}</td>
                    <td>${l.expiresAt}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <p class="hint">A lock ends with its run: abort the run to free it.</p>`;
}
