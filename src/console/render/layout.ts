import { html, type Html } from './html.js';
import type { Viewer } from '../viewer.js';

export interface PageContext {
  viewer: Viewer;
  csrf: string;
  /** The local run's "act as" choices (loopback only). */
  actAs: readonly string[] | undefined;
  notice?: string;
}

/** The page shell: navigation, who you are (and, in the local run, who to act as), one notice. */
export function layout(title: string, ctx: PageContext, body: Html, script?: string): Html {
  const who = ctx.viewer
    ? html`signed in as <b id="viewer">${ctx.viewer.user}</b>${
          ctx.viewer.via === 'oidc'
            ? html` <form method="post" action="/auth/logout" class="sign-out">
                <input type="hidden" name="_csrf" value="${ctx.csrf}" /><button type="submit">
                  sign out
                </button>
              </form>`
            : ''
        }`
    : html`<span id="viewer">read-only</span>`;
  const picker = ctx.actAs
    ? html`<form method="post" action="/as" class="act-as">
        <input type="hidden" name="_csrf" value="${ctx.csrf}" />
        <label
          >act as
          <select name="user">
            ${ctx.actAs.map(
              (u) => html`<option value="${u}" ${ctx.viewer?.user === u ? 'selected' : ''}>${u}</option>`,
            )}
          </select></label
        >
        <button type="submit">switch</button>
      </form>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>${title} · Marshal</title>
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        ${ctx.viewer ? html`<meta name="csrf-token" content="${ctx.csrf}" />` : ''}
        <link rel="stylesheet" href="/static/console.css" />
      </head>
      <body>
        <nav>
          <a href="/" class="brand">Marshal</a> <a href="/">Runs</a> <a href="/locks">Locks</a>
          <a href="/freezes">Freezes</a> <a href="/schedules">Schedules</a> <a href="/queues/">Queue</a
          ><span class="who">${who} ${picker}</span>
        </nav>
        ${ctx.notice ? html`<p class="notice" role="status">${ctx.notice}</p>` : ''}
        <main>${body}</main>
        ${script ? html`<script src="/static/console.js" data-page="${script}"></script>` : ''}
      </body>
    </html>`;
}
