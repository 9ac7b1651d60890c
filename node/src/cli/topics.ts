/** `vonnegut topics list|create|delete|describe`: topic administration through the native client. */
import { Command } from 'commander';
import { clientFrom, intFlag, runCommand, withClientOptions, type ClientFlags } from './common.ts';
import type { Client } from '../client/client.ts';

/** Runs `body` with a client for the flags, closing it afterwards. */
function withClient(flags: ClientFlags, body: (c: Client) => Promise<void>): Promise<void> {
  return runCommand(async () => {
    const client = await clientFrom(flags);
    try {
      await body(client);
    } finally {
      await client.close();
    }
  });
}

/** The `topics` subcommand and its four verbs. */
export function topicsCommand(): Command {
  const topics = new Command('topics').description('list, create, delete and describe topics');
  withClientOptions(topics.command('list').description('print topic names, one per line'))
    .action((flags: ClientFlags) => withClient(flags, async (c) => {
      for (const name of await c.listTopics()) console.log(name);
    }));
  withClientOptions(topics.command('create').description('create a topic').argument('<name>').option('--partitions <n>', 'partitions', '1'))
    .action((name: string, flags: ClientFlags & { partitions: string }) => withClient(flags, async (c) => {
      await c.createTopic(name, { partitions: intFlag(flags.partitions, '--partitions', 1)! });
      console.error(`created ${name}`);
    }));
  withClientOptions(topics.command('delete').description('delete a topic').argument('<name>'))
    .action((name: string, flags: ClientFlags) => withClient(flags, async (c) => {
      await c.deleteTopic(name);
      console.error(`deleted ${name}`);
    }));
  withClientOptions(topics.command('describe').description('partitions with their head (leader) and tail').argument('[names...]').option('--json', 'print JSON'))
    .action((names: string[], flags: ClientFlags & { json?: boolean }) => withClient(flags, async (c) => {
      const described = await c.describeTopics(names.length > 0 ? names : undefined);
      if (flags.json) {
        console.log(JSON.stringify(described, null, 2));
        return;
      }
      for (const t of described) {
        console.log(`${t.name}${t.internal ? ' (internal)' : ''}\tpartitions: ${t.partitions.length}`);
        for (const p of t.partitions) {
          console.log(`  partition ${p.partition}\thead ${p.leader ?? '-'}\ttail ${p.tail ?? '-'}\treplicas ${p.replicas.length} (node${p.replicas.length === 1 ? '' : 's'} ${p.replicas.join(',') || '-'})${p.errorCode ? `\terror ${p.errorCode}` : ''}`);
        }
      }
    }));
  return topics;
}
