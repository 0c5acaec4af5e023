import { hostCountsOf, type RunSnapshot } from '../../engine/model/run.js';
import { html, type Html } from './html.js';

export interface RunFilters {
  workflow?: string;
  state?: string;
  requester?: string;
}

export function matches(run: RunSnapshot, f: RunFilters): boolean {
  return (
    (!f.workflow || run.workflow === f.workflow) &&
    (!f.state || run.state === f.state) &&
    (!f.requester || run.requester === f.requester)
  );
}

/** The runs list: active first, then recent; filterable by workflow, state and requester. */
export function runsTable(runs: RunSnapshot[]): Html {
  if (runs.length === 0) return html`<p id="runs" class="empty">No runs match.</p>`;
  const sorted = [...runs].sort(
    (a, b) => Number(!!a.finishedAt) - Number(!!b.finishedAt) || b.createdAt.localeCompare(a.createdAt),
  );
  return html`<table id="runs" class="runs">
    <thead>
      <tr>
        <th>Run</th>
        <th>Workflow</th>
        <th>State</th>
        <th>Requested by</th>
        <th>Hosts</th>
        <th>Started</th>
      </tr>
    </thead>
    <tbody>
      ${sorted.map((r) => {
        const hosts = hostCountsOf(r);
        const waiting = r.gates.some((g) => g.state === 'waiting');
        return html`<tr class="state-${r.state}">
          <td><a href="/runs/${encodeURIComponent(r.runId)}">${r.runId}</a></td>
          <td>${r.workflow}${r.dryRun ? ' (dry run)' : ''}</td>
          <td><span class="pill ${r.state}">${waiting ? 'waiting for approval' : r.state}</span></td>
          <td>${r.requester}</td>
          <td>${hosts.ok} ok · ${hosts.failed} failed</td>
          <td>${r.createdAt}</td>
        </tr>`;
      })}
    </tbody>
  </table>`;
}

export function runsPage(runs: RunSnapshot[], filters: RunFilters, workflows: string[]): Html {
  const states = ['running', 'held', 'succeeded', 'failed', 'aborted'];
  const option = (value: string, current: string | undefined) =>
    html`<option value="${value}" ${current === value ? 'selected' : ''}>${value}</option>`;
  return html`<h1>Runs</h1>
    <form method="get" action="/" class="filters">
      <label
        >workflow
        <select name="workflow">
          <option value="">any</option>
          ${workflows.map((w) => option(w, filters.workflow))}
        </select></label
      >
      <label
        >state
        <select name="state">
          <option value="">any</option>
          ${states.map((s) => option(s, filters.state))}
        </select></label
      >
      <label
        >requester <input name="requester" value="${filters.requester ?? ''}" placeholder="U0ALICE"
      /></label>
      <button type="submit">filter</button>
    </form>
    <div id="list">${runsTable(runs.filter((r) => matches(r, filters)))}</div>`;
}
