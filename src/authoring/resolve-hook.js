// A Node module resolve hook (module.register) that lets a workflow module anywhere on disk write
// `import … from 'marshal/authoring'`: Node's package self-reference only reaches files inside this
// package, and an operator's `./ops-workflows` directory usually is not. bin/marshal.js registers it.
let target;

export function initialize(data) {
  target = data.target;
}

export function resolve(specifier, context, nextResolve) {
  if (specifier === 'marshal/authoring') return { url: target, shortCircuit: true };
  return nextResolve(specifier, context);
}
