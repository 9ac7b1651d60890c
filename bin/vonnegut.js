#!/usr/bin/env node
// The `vonnegut` command: plain node on the build (npm run build writes dist/). In a source checkout
// without a build, the TypeScript runs through tsx (a dev dependency) instead.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli/vonnegut.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../cli/vonnegut.ts', import.meta.url).href);
}
