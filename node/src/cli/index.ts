/** The client subcommands of the `vonnegut` CLI, for main.ts to add. */
export { produceCommand } from './produce.ts';
export { consumeCommand } from './consume.ts';
export { topicsCommand } from './topics.ts';
