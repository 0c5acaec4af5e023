// Registers the `marshal/authoring` resolve hook (resolve-hook.js) in this process: a workflow module
// anywhere on disk may then import the authoring entry by that name. Run after tsx is registered (the
// entry is TypeScript). Used by bin/marshal.js; `node --import tsx --import ./src/authoring/register.js`.
import { register } from 'node:module';
import { URL } from 'node:url';

register('./resolve-hook.js', import.meta.url, {
  data: { target: new URL('./index.ts', import.meta.url).href },
});
