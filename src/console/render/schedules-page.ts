import type { ScheduleListing } from '../../control/run-schedules.js';
import { html, type Html } from './html.js';

export interface SchedulesView {
  schedules: (ScheduleListing & {
    /** Whether the viewer may remove it (as `/ops schedules remove`). */ removable: boolean;
  })[];
  csrf: string;
}

/** Runs on a schedule: when, what, as whom; remove where the viewer may. */
export function schedulesPage(view: SchedulesView): Html {
  return html`<h1>Schedules</h1>
    ${
      view.schedules.length === 0
        ? html`<p class="empty">No schedules.</p>`
        : html`<table id="schedules" class="schedules">
            <thead>
              <tr>
                <th>Schedule</th>
                <th>When</th>
                <th>Runs</th>
                <th>As</th>
                <th>Next</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              ${view.schedules.map(
                (s) =>
                  html`<tr data-schedule="${s.id}">
                    <td>${s.id}${s.source === 'config' ? html` <small>(config)</small>` : ''}</td>
                    <td><code>${s.cron}</code> ${s.timeZone}</td>
                    <td><code>${s.workflow} ${s.words.join(' ')}</code>${s.dryRun ? ' (dry run)' : ''}</td>
                    <td>${s.requester}</td>
                    <td>${s.next ? s.next.toISOString() : ''}</td>
                    <td>
                      ${
                        s.removable
                          ? html`<form
                              method="post"
                              action="/schedules/${encodeURIComponent(s.id)}/remove"
                              class="control"
                            >
                              <input type="hidden" name="_csrf" value="${view.csrf}" />
                              <button type="submit" class="btn abort" data-control="remove-schedule">
                                Remove
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
      Each scheduled run still waits at its approval gate; fires during a freeze are skipped. A schedule
      declared in the config comes back at the next start unless removed there.
    </p>`;
}
