import type { FreezeWindow } from '../../config/marshal-config.js';
import type { Freeze } from '../../control/change-freeze.js';
import { html, type Html } from './html.js';

export interface FreezesView {
  /** The freeze in force now, if any (a manual one wins over a window). */
  current: Freeze | undefined;
  /** Windows declared in Marshal's config. */
  windows: readonly FreezeWindow[];
  /** Whether the viewer may lift a manual freeze (`access.ops.freeze`, as `/ops freeze off`). */
  canLift: boolean;
  csrf: string;
}

/** The change freeze: what is in force now and the declared windows; lift where the viewer may. */
export function freezesPage(view: FreezesView): Html {
  const { current } = view;
  const now = current
    ? html`<div id="freeze" class="freeze ${current.source}">
        <p>
          <b>New runs are refused</b> (except break-glass):
          ${
            current.source === 'manual'
              ? html`frozen by <b>${current.by}</b> at ${current.at} until <b>${current.until}</b>:
                  ${current.reason}`
              : html`declared window <b>${current.window}</b>: ${current.reason}`
          }
        </p>
        ${
          current.source === 'manual' && view.canLift
            ? html`<form method="post" action="/freezes/lift" class="control">
                <input type="hidden" name="_csrf" value="${view.csrf}" />
                <button type="submit" class="btn abort" data-control="lift-freeze">Lift the freeze</button>
              </form>`
            : current.source === 'manual'
              ? html`<p class="note">You may not lift it (<code>access.ops.freeze</code> says who may).</p>`
              : html`<p class="note">A declared window is lifted in Marshal's config.</p>`
        }
      </div>`
    : html`<p id="freeze" class="empty">No change freeze is in force.</p>`;
  return html`<h1>Freezes</h1>
    ${now}
    <h2>Declared windows</h2>
    ${
      view.windows.length === 0
        ? html`<p class="empty">Marshal's config declares no freeze windows.</p>`
        : html`<table class="windows">
            <thead>
              <tr>
                <th>Window</th>
                <th>Days</th>
                <th>Dates</th>
                <th>From–to</th>
                <th>Why</th>
              </tr>
            </thead>
            <tbody>
              ${view.windows.map(
                (w) =>
                  html`<tr>
                    <td>${w.name}</td>
                    <td>${(w.days ?? []).join(', ')}</td>
                    <td>${(w.dates ?? []).join(', ')}</td>
                    <td>${w.from}–${w.to} ${w.timeZone}</td>
                    <td>${w.reason ?? ''}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <p class="hint">Set a freeze with <code>/ops freeze &lt;duration&gt; &lt;reason&gt;</code> in Slack.</p>`;
}
