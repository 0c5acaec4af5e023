#!/usr/bin/env -S node --max-semi-space-size=4
// Runs the compiled build (dist/, `npm run build`) when there is one: no TypeScript loader in
// production. Otherwise, or with MARSHAL_FROM_SOURCES=1 (tests, `npm run demo`, development), it runs
// the TypeScript sources through tsx, a dev dependency.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const fromSources = process.env.MARSHAL_FROM_SOURCES === '1' || !existsSync(compiled);

if (fromSources) {
  const tsx = await import('tsx/esm/api').catch(() => undefined);
  if (!tsx) {
    process.stderr.write(
      'marshal: there is no build (dist/) and no TypeScript loader (tsx) to run the sources. Fix: `npm run build`, or install the dev dependencies.\n',
    );
    process.exit(1);
  }
  tsx.register();
}
// Workflow modules import the authoring entry as `marshal/authoring`, wherever they live on disk.
const root = fromSources ? '../src/' : '../dist/src/';
register(new URL(`${root}authoring/resolve-hook.js`, import.meta.url), import.meta.url, {
  data: { target: new URL(`${root}authoring/index.${fromSources ? 'ts' : 'js'}`, import.meta.url).href },
});
await import(fromSources ? '../src/cli/main.ts' : compiled.href);
