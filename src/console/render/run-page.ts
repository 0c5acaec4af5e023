import type { AuditEntry } from '../../audit/index.js';
import type { AnyWorkflow } from '../../engine/index.js';
import {
  hostCountsOf,
  type RunSnapshot,
  type TargetResult,
  type TaskSnapshot,
} from '../../engine/model/run.js';
import { scrubSecrets } from '../../log/index.js';
import type { AllowedControls, Control } from '../run-controls.js';
import { formatMs, html, type Html } from './html.js';
import { blocksToHtml } from './slack-html.js';

export interface RunView {
  run: RunSnapshot;
  def: AnyWorkflow | undefined;
  allowed: AllowedControls;
  csrf: string;
  audit: AuditEntry[];
  /** The run's Slack thread as Slack shows it now; undefined when it has none (a terminal run). */
  thread: { text: string; blocks: unknown[] }[] | undefined;
}

const LABEL: Record<Control, string> = {
  approve: 'Approve',
  reject: 'Reject',
  hold: 'Hold',
  resume: 'Resume',
  abort: 'Abort',
  retry: 'Retry failed hosts',
  rollback: 'Roll back',
};

/**
 * Host rows in the first paint: failed ones come first, so the rows that matter are among them; the
 * rest are a click away (`?hosts=all`). A 1,000-host grid in full costs the browser most of a second.
 */
export const FIRST_HOST_ROWS = 200;

export function runPage(view: RunView, options: { allHosts?: boolean } = {}): Html {
  const { run } = view;
  const limit = options.allHosts ? Infinity : FIRST_HOST_ROWS;
  return html`<div id="run" data-run="${run.runId}">
    <div id="panel">${runPanel(view)}</div>
    <h2>Hosts <small id="host-count">${hostCountsOf(run).reached}</small></h2>
    ${hostPager(run)} ${hostSummary(run, limit)} ${hostGrid(run.targets, limit)}
  </div>`;
}

/** Counts first (kept up to date live), and whether the grid below shows every host. */
function hostSummary(run: RunSnapshot, limit: number): Html {
  const counts = hostCountsOf(run);
  const shown = run.targets;
  const offset = run.shown?.offset ?? 0;
  return html`<p id="host-summary" class="facts">
    <b id="hosts-done">${counts.reached}</b> done · <b id="hosts-failed">${counts.failed}</b> failed ·
    <b id="hosts-changed">${counts.changed}</b> changed${
      shown.length > limit
        ? html` · showing the first ${limit} (failed first):
            <a href="?hosts=${offset}&amp;all=1" id="all-hosts">show all ${shown.length}</a>`
        : ''
    }
  </p>`;
}

/** The parts that change with any event: header, controls, DAG, approvals, thread, audit. */
export function runPanel(view: RunView): Html {
  const { run, allowed } = view;
  const waiting = run.gates.some((g) => g.state === 'waiting');
  return html`<h1>
      ${run.workflow}${run.dryRun ? ' [dry run]' : ''}
      <span id="run-state" class="pill ${run.state}"
        >${waiting && !run.finishedAt ? 'waiting for approval' : run.state}</span
      >
    </h1>
    <p class="facts">
      Run <code>${run.runId}</code> · requested by <b>${run.requester}</b> · started
      ${run.createdAt}${
        run.finishedAt ? html` · finished ${run.finishedAt}` : ''
      }${run.retryOf ? html` · retry of <a href="/runs/${encodeURIComponent(run.retryOf)}">${run.retryOf}</a>` : ''}
    </p>
    <div id="controls">
      ${allowed.controls.map(
        (c) =>
          html`<form method="post" action="/runs/${encodeURIComponent(run.runId)}/${c}" class="control">
            <input type="hidden" name="_csrf" value="${view.csrf}" />${
              allowed.gateId ? html`<input type="hidden" name="gate" value="${allowed.gateId}" />` : ''
            }<button type="submit" class="btn ${c}" data-control="${c}">${LABEL[c]}</button>
          </form>`,
      )}${allowed.notes.map((n) => html`<p class="note">${n}</p>`)}
    </div>
    <h2>Tasks</h2>
    ${dag(run.tasks, view.def)} ${approvals(run)}
    <h2>Thread</h2>
    ${
      view.thread
        ? html`<div class="thread" id="thread" data-settled="${threadSettled(view) ? '1' : '0'}">
            ${view.thread.map((m, i) => html`<div class="msg ${i === 0 ? 'parent' : 'reply'}">${blocksToHtml(m)}</div>`)}
          </div>`
        : html`<p class="empty" id="thread" data-settled="1">
            This run has no Slack thread (started from a terminal).
          </p>`
    }
    <h2>Audit</h2>
    ${auditTable(view.audit)}`;
}

/**
 * Whether the thread shows the run's final state yet: its edits are coalesced and paced within Slack's
 * limits, so the last one lands a little after the run ends.
 */
export function threadSettled(view: Pick<RunView, 'run' | 'thread'>): boolean {
  if (!view.run.finishedAt || !view.thread) return true;
  return (view.thread[0]?.text ?? '').includes(` ${view.run.state}:`);
}

/** Tasks in columns by depth in the DAG (like Airflow's graph view), each with its state, live. */
function dag(tasks: TaskSnapshot[], def: AnyWorkflow | undefined): Html {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const up = def?.tasks.get(id)?.upstream ?? [];
    const d = up.length === 0 ? 0 : 1 + Math.max(...up.map(depthOf));
    depth.set(id, d);
    return d;
  };
  const columns: TaskSnapshot[][] = [];
  for (const t of tasks) (columns[depthOf(t.taskId)] ??= []).push(t);
  return html`<div id="dag" class="dag">
    ${columns.map(
      (col) =>
        html`<div class="dag-col">
          ${col.map((t) => {
            const group = def?.tasks.get(t.taskId)?.group;
            const up = def?.tasks.get(t.taskId)?.upstream ?? [];
            const took =
              t.startedAt && t.finishedAt ? formatMs(Date.parse(t.finishedAt) - Date.parse(t.startedAt)) : '';
            return html`<div
              class="task ${t.state}"
              data-task="${t.taskId}"
              title="after: ${up.join(', ') || '—'}"
            >
              ${group ? html`<span class="group">${group}</span>` : ''}<span class="name"
                >${t.taskId.slice(group ? group.length + 1 : 0) || t.taskId}</span
              >
              <span class="state">${t.state}</span>${took ? html`<span class="took">${took}</span>` : ''}${
                t.error ? html`<span class="error">${scrubSecrets(t.error)}</span>` : ''
              }
            </div>`;
          })}
        </div>`,
    )}
  </div>`;
}

function approvals(run: RunSnapshot): Html {
  if (run.gates.length === 0) return html``;
  return html`<h2>Approvals and evidence</h2>
    ${run.gates.map(
      (g) =>
        html`<div class="gate ${g.state}" data-gate="${g.gateId}">
          <b>${g.gateId}</b> ${g.state}${
            g.decidedBy ? html` by <b>${g.decidedBy}</b> at ${g.decidedAt}` : ''
          }${g.reason ? html` (${g.reason})` : ''}${g.expiresAt && g.state === 'waiting' ? html` · expires ${g.expiresAt}` : ''}${
            g.evidence !== undefined
              ? html`<pre class="evidence">${scrubSecrets(JSON.stringify(g.evidence, null, 2))}</pre>`
              : ''
          }
        </div>`,
    )}`;
}

function auditTable(entries: AuditEntry[]): Html {
  if (entries.length === 0) return html`<p class="empty">No audit records yet.</p>`;
  return html`<table class="audit">
    <thead>
      <tr>
        <th>At</th>
        <th>What</th>
        <th>Who</th>
        <th>Host</th>
        <th>Details</th>
      </tr>
    </thead>
    <tbody>
      ${entries.map(
        (e) =>
          html`<tr>
            <td>${e.at}</td>
            <td>${e.kind}</td>
            <td>${e.actor}</td>
            <td>${e.target ?? ''}</td>
            <td><code>${scrubSecrets(JSON.stringify(e.data))}</code></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Failed (and not-restored) hosts first, then by name. */
export function sortTargets(targets: TargetResult[]): TargetResult[] {
  const rank = (t: TargetResult) => (t.ok ? 2 : t.restore === 'restored' ? 1 : 0);
  return [...targets].sort((a, b) => rank(a) - rank(b) || a.target.localeCompare(b.target));
}

export function targetState(t: TargetResult): string {
  if (t.ok) return t.changed ? 'changed' : 'unchanged';
  if (t.restore === 'restored') return 'failed, restored';
  if (t.restore) return `failed, restore ${t.restore}`;
  return 'failed';
}

/**
 * A big run's hosts come a page at a time (the engine reads only that page of the ledger): which page
 * this is, with links to the pages beside it. Nothing for a run that fits on one page.
 */
function hostPager(run: RunSnapshot): Html | string {
  const s = run.shown;
  if (s?.view !== 'page' || s.planned === undefined || s.limit === undefined || s.planned <= s.limit)
    return '';
  const offset = s.offset ?? 0;
  const href = (at: number) => `/runs/${encodeURIComponent(run.runId)}?hosts=${at}`;
  const last = Math.min(s.planned, offset + s.limit);
  return html`<p id="host-pager">
    Planned hosts ${offset + 1}–${last} of
    ${s.planned}${
      offset > 0 ? html` · <a href="${href(Math.max(0, offset - s.limit))}">previous</a>` : ''
    }${last < s.planned ? html` · <a href="${href(last)}">next</a>` : ''}
  </p>`;
}

function hostGrid(targets: TargetResult[], limit: number): Html {
  return html`<table id="hosts" class="hosts">
    <thead>
      <tr>
        <th>Host</th>
        <th>Stage</th>
        <th>State</th>
        <th>Took</th>
        <th>Summary</th>
      </tr>
    </thead>
    <tbody
      data-limit="${Number.isFinite(limit) ? limit : ''}"
      data-done="${targets.length > limit ? targets.map((t) => `${t.ok ? (t.changed ? 'c' : 'u') : 'f'}${t.target}`).join(' ') : ''}"
    >
      ${sortTargets(targets)
        .slice(0, limit)
        .map(
          (t) =>
            html`<tr data-host="${t.target}" class="${t.ok ? 'ok' : 'failed'}">
              <td>${t.target}</td>
              <td>${t.stage === 'canary' ? 'canary' : `batch ${t.batchIndex}`}</td>
              <td>${targetState(t)}</td>
              <td>${formatMs(t.durationMs)}</td>
              <td>${scrubSecrets(t.error ?? t.summary ?? '')}</td>
            </tr>`,
        )}
    </tbody>
  </table>`;
}
