/**
 * The console's one script and stylesheet, served as static files (no build step). The script follows
 * the run event stream (server-sent events) and changes only what an event touched: a task's state,
 * a host's row; anything else refetches the run's panel once (coalesced), never on a timer.
 */
export const CONSOLE_JS = String.raw`(() => {
  'use strict';
  const page = document.currentScript.dataset.page;
  const live = (window.__marshalLive = []);
  const mark = (e) => live.push({ type: e.type, at: e.at, shownAt: Date.now() });
  const refetch = (url, el, after) => {
    // Returns a trigger that refetches once per burst of events (50 ms), whatever their number.
    let pending = false, queued = [];
    return (e) => {
      if (e) queued.push(e);
      if (pending) return;
      pending = true;
      setTimeout(async () => {
        const batch = queued; queued = [];
        try {
          const res = await fetch(url(), { headers: { accept: 'text/html' } });
          if (res.ok) el().innerHTML = await res.text();
        } finally { pending = false; batch.forEach(mark); if (after) after(); }
      }, 50);
    };
  };
  if (page === 'runs') {
    const list = refetch(() => '/list' + location.search, () => document.getElementById('list'));
    const es = new EventSource('/live');
    es.onmessage = (m) => list(JSON.parse(m.data));
    return;
  }
  const root = document.getElementById('run');
  const runId = root.dataset.run;
  const panel = refetch(() => '/runs/' + encodeURIComponent(runId) + '/panel', () => document.getElementById('panel'));
  const cell = (text) => { const td = document.createElement('td'); td.textContent = text; return td; };
  const took = (ms) => ms < 1000 ? Math.round(ms) + ' ms' : ms < 60000 ? (ms / 1000).toFixed(1) + ' s' : Math.floor(ms / 60000) + 'm ' + Math.round((ms % 60000) / 1000) + 's';
  const stateOf = (r) => r.ok ? (r.changed ? 'changed' : 'unchanged') : r.restore === 'restored' ? 'failed, restored' : r.restore ? 'failed, restore ' + r.restore : 'failed';
  // Each host the page knows has finished, with its state (c changed, u unchanged, f failed): the rows
  // shown, and (when the grid shows only the first rows) the list the page came with, so the counts
  // above the grid stay exact whatever the grid shows.
  const tbody = document.querySelector('#hosts tbody');
  const known = new Map();
  (tbody.dataset.done || '').split(' ').filter(Boolean).forEach((w) => known.set(w.slice(1), w[0]));
  tbody.querySelectorAll('tr').forEach((tr) => { if (!known.has(tr.dataset.host)) known.set(tr.dataset.host, tr.className === 'failed' ? 'f' : tr.cells[2].textContent === 'changed' ? 'c' : 'u'); });
  const bump = (id, by) => { const el = document.getElementById(id); if (el && by) el.textContent = String(Number(el.textContent) + by); };
  const hostRow = (r) => {
    const limit = Number(tbody.dataset.limit) || Infinity;
    let row = tbody.querySelector('tr[data-host="' + CSS.escape(r.target) + '"]');
    const shown = !!row;
    if (!row) { row = document.createElement('tr'); row.dataset.host = r.target; }
    row.className = r.ok ? 'ok' : 'failed';
    row.replaceChildren(cell(r.target), cell(r.stage === 'canary' ? 'canary' : 'batch ' + r.batchIndex), cell(stateOf(r)), cell(took(r.durationMs)), cell(r.error || r.summary || ''));
    // Failed hosts always show, at the top; the others only while the grid has room.
    if (!r.ok) tbody.prepend(row);
    else if (!shown && tbody.rows.length < limit) tbody.append(row);
    while (tbody.rows.length > limit) tbody.deleteRow(-1);
    const before = known.get(r.target);
    const now = r.ok ? (r.changed ? 'c' : 'u') : 'f';
    known.set(r.target, now);
    if (before === undefined) { bump('hosts-done', 1); bump('host-count', 1); }
    bump('hosts-failed', (now === 'f' ? 1 : 0) - (before === 'f' ? 1 : 0));
    bump('hosts-changed', (now === 'c' ? 1 : 0) - (before === 'c' ? 1 : 0));
  };
  const es = new EventSource('/runs/' + encodeURIComponent(runId) + '/live');
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === 'task.state') {
      const node = document.querySelector('[data-task="' + CSS.escape(e.taskId) + '"]');
      if (node) {
        node.className = 'task ' + e.state;
        node.querySelector('.state').textContent = e.state;
        mark(e);
        return;
      }
    }
    if (e.type === 'target.finished') { hostRow(e.result); mark(e); return; }
    if (e.type === 'stage.progress') { mark(e); return; }
    panel(e);
    // The thread's last edit lands a moment after the run ends (edits are coalesced and paced): look
    // again each second, at most 30 times, until the thread shows the final state.
    if (e.type === 'run.finished') {
      let tries = 0;
      const settle = () => {
        const t = document.getElementById('thread');
        if ((t && t.dataset.settled === '1') || ++tries > 30) return;
        panel(null);
        setTimeout(settle, 1000);
      };
      setTimeout(settle, 1000);
    }
  };
})();
`;

export const CONSOLE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d1c1d; background: #f8f8f8; }
nav { background: #3f0e40; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; }
nav a { color: #fff; text-decoration: none; } nav .brand { font-weight: 700; }
nav .who { margin-left: auto; } nav form { display: inline; }
main { padding: 16px; max-width: 1400px; }
.notice { background: #fff7d6; border: 1px solid #e8c000; padding: 8px 16px; margin: 8px 16px; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eee; vertical-align: top; }
.pill { font-size: 12px; padding: 2px 8px; border-radius: 10px; background: #ddd; vertical-align: middle; }
.pill.running { background: #cfe3ff; } .pill.held { background: #ffe9b3; } .pill.succeeded { background: #c9f0d1; }
.pill.failed { background: #ffd0d0; } .pill.aborted { background: #e3e3e3; }
.dag { display: flex; gap: 24px; overflow-x: auto; padding: 8px 0; }
.dag-col { display: flex; flex-direction: column; gap: 8px; min-width: 150px; }
.task { border: 2px solid #bbb; border-radius: 6px; padding: 6px 8px; background: #fff; display: flex; flex-direction: column; }
.task .group { font-size: 11px; color: #666; } .task .name { font-weight: 600; } .task .state { font-size: 12px; }
.task .took, .task .error { font-size: 11px; color: #555; }
.task.running, .task.queued { border-color: #2f7de1; } .task.waiting, .task.held { border-color: #e8a200; background: #fff8e6; }
.task.success { border-color: #2eb67d; } .task.failed, .task.upstream_failed { border-color: #e01e5a; background: #fff0f3; }
.task.skipped { border-style: dashed; color: #888; }
.hosts tr.failed td { background: #fff0f3; }
.thread { display: flex; flex-direction: column; gap: 8px; }
.msg { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 8px 12px; }
.msg.reply { margin-left: 32px; }
.b-header { font-weight: 700; font-size: 16px; } .b-fields { display: grid; grid-template-columns: 1fr 1fr; gap: 4px 16px; }
.b-context { font-size: 12px; color: #616061; } .b-button { display: inline-block; border: 1px solid #bbb; border-radius: 4px; padding: 2px 8px; margin-right: 6px; }
.b-button.primary { background: #007a5a; color: #fff; } .b-button.danger { color: #e01e5a; }
.mention { background: #e8f5fa; color: #1264a3; }
form.control { display: inline; } .btn { padding: 6px 14px; border-radius: 4px; border: 1px solid #888; background: #fff; cursor: pointer; margin-right: 6px; }
.btn.approve { background: #007a5a; color: #fff; border-color: #007a5a; } .btn.abort, .btn.reject { color: #e01e5a; border-color: #e01e5a; }
.note, .hint, .empty { color: #616061; } pre.evidence { background: #fff; border: 1px solid #ddd; padding: 8px; overflow: auto; max-height: 300px; }
.filters label { margin-right: 12px; }
`;
