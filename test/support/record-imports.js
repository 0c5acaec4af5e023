// Loaded with `node --import`: records every module URL the process resolves into the file named by
// MARSHAL_RECORD_IMPORTS, one a line, so a test can see what an entry point really loads.
import { register } from 'node:module';
import process from 'node:process';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(out, r.url + '\\n');
  return r;
}`),
  { data: { out: process.env.MARSHAL_RECORD_IMPORTS } },
);
