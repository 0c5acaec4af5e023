// TEMP stand-in until engine-core lands.
import type { z } from 'zod';
import type { TaskOptions, TaskRef, WorkflowBuilder, WorkflowSpec } from '../model/workflow.js';
import type { CompiledTask, WorkflowDefinition } from './workflow-definition.js';

export function defineWorkflow<S extends z.ZodType>(spec: WorkflowSpec<S>): WorkflowDefinition<z.infer<S>> {
  type P = z.infer<S>;
  const tasks = new Map<string, CompiledTask<P>>();
  const groups = new Map<string, string[]>();
  const refs = (a: TaskRef | TaskRef[] | undefined): string[] => {
    const list = a === undefined ? [] : Array.isArray(a) ? a : [a];
    return list.flatMap((r) => groups.get(r.id) ?? [r.id]);
  };
  const make = (prefix: string, groupId: string | undefined, defaultAfter: string[]): { b: WorkflowBuilder<P>; members: string[] } => {
    const members: string[] = [];
    const add = (t: CompiledTask<P>) => {
      if (tasks.has(t.id)) throw new Error(`duplicate task ${t.id}`);
      tasks.set(t.id, t);
      members.push(t.id);
    };
    const up = (o: TaskOptions['after']) => (o === undefined ? defaultAfter : refs(o));
    const b: WorkflowBuilder<P> = {
      task(id, fn, o: TaskOptions = {}) {
        const full = prefix + id;
        add({ kind: 'task', id: full, fn, upstream: up(o.after), trigger: o.trigger ?? 'all_success', retry: o.retry, timeoutMs: o.timeoutMs, group: groupId });
        return { id: full };
      },
      group(id, build, o = {}) {
        const full = prefix + id;
        const inner = make(`${full}.`, full, up(o.after));
        build(inner.b);
        const ids = inner.members;
        const sinks = ids.filter((m) => !ids.some((n) => tasks.get(n)?.upstream.includes(m)));
        groups.set(full, sinks);
        members.push(...ids);
        return { id: full };
      },
      rollout(id, r) {
        const full = prefix + id;
        const base = { trigger: 'all_success' as const, retry: undefined, timeoutMs: undefined, group: full };
        add({ ...base, kind: 'stage', stage: 'canary', rolloutId: full, rollout: r, id: `${full}.canary`, upstream: up(r.after) });
        let last = `${full}.canary`;
        if (r.approval) {
          add({ ...base, kind: 'gate', rolloutId: full, approval: r.approval, id: `${full}.approval`, upstream: [last] });
          last = `${full}.approval`;
        }
        add({ ...base, kind: 'stage', stage: 'batches', rolloutId: full, rollout: r, id: `${full}.batches`, upstream: [last] });
        groups.set(full, [`${full}.batches`]);
        return { id: full };
      },
      rollback(id, r) {
        const full = prefix + id;
        const of = r.of.id;
        const after = r.after === undefined ? [...tasks.keys()].filter((k) => k.startsWith(`${of}.`)) : refs(r.after);
        add({ kind: 'rollback', id: full, of, upstream: after, trigger: 'one_failed', retry: undefined, timeoutMs: r.timeoutMs, group: groupId });
        return { id: full };
      },
    };
    return { b, members };
  };
  spec.tasks(make('', undefined, []).b);
  for (const t of tasks.values()) for (const u of t.upstream) if (!tasks.has(u)) throw new Error(`unknown upstream ${u} of ${t.id}`);
  return { name: spec.name, summary: spec.summary, params: spec.params as unknown as z.ZodType<P>, locks: spec.locks, tasks, order: [...tasks.keys()] };
}
