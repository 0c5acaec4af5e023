#!/usr/bin/env node
// Runs Marshal's TypeScript sources directly through tsx, so there is no build step to forget.
import { register } from 'tsx/esm/api';

register();
// Workflow modules import the authoring entry as `marshal/authoring`, wherever they live on disk.
await import('../src/authoring/register.js');
await import('../src/cli/main.ts');
