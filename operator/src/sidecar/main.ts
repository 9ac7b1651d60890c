// `vonnegut sidecar` (and `tsx operator/src/sidecar/main.ts`): runs the sidecar loop until SIGTERM.
import { Command } from 'commander';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { runSidecar, sidecarOptionsFromEnv } from './sidecar.ts';

export { runSidecar, sidecarOptionsFromEnv } from './sidecar.ts';
export type { SidecarOptions, RunningSidecar } from './sidecar.ts';

/** The `sidecar` subcommand; configured by env (POD_NAME, POD_NAMESPACE, VONNEGUT_RESOURCE, ...). */
export function sidecarCommand(): Command {
  return new Command('sidecar')
    .description('run next to a vonnegut node in its pod (configured by the env the operator sets)')
    .action(async () => {
      const sidecar = await runSidecar(sidecarOptionsFromEnv());
      const stop = (): void => {
        sidecar.stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await sidecarCommand().parseAsync(process.argv);
}
