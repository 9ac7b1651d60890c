/**
 * A stand-in for Kafka's bin/kafka-topics.sh, for librdkafka's test suite only (scripts/librdkafka-tests.sh):
 * its test_kafka_topics() shells out to "$KAFKA_PATH/bin/kafka-topics.sh --bootstrap-server B ...", and
 * Kafka's own distribution (a JVM application) is not installable here. Supports what those tests ask:
 * --create --topic T --partitions N [--replication-factor R] [--config k=v]..., --alter --topic T
 * --partitions N, --delete --topic T. Speaks to the node through kafkajs's admin client (CreateTopics,
 * CreatePartitions, DeleteTopics), so the node's answers are what is tested; exits non-zero on any error.
 */
import { Kafka, logLevel } from 'kafkajs';

/** The flags of one kafka-topics.sh invocation. */
interface Invocation {
  action: 'create' | 'alter' | 'delete';
  bootstrap: string;
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  configs: { name: string; value: string }[];
}

function parse(argv: string[]): Invocation {
  let action: Invocation['action'] | undefined;
  let bootstrap = '';
  let topic = '';
  let partitions: number | undefined;
  let replicationFactor: number | undefined;
  const configs: { name: string; value: string }[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--create' || a === '--alter' || a === '--delete') action = a.slice(2) as Invocation['action'];
    else if (a === '--bootstrap-server') bootstrap = next();
    else if (a === '--topic') topic = next().replace(/^"|"$/g, '');
    else if (a === '--partitions') partitions = Number(next());
    else if (a === '--replication-factor') replicationFactor = Number(next());
    else if (a === '--config') {
      const kv = next();
      const eq = kv.indexOf('=');
      configs.push({ name: kv.slice(0, eq), value: kv.slice(eq + 1) });
    } else throw new Error(`unsupported kafka-topics.sh argument ${a}`);
  }
  if (!action || !bootstrap || !topic) throw new Error('need --create/--alter/--delete, --bootstrap-server and --topic');
  return { action, bootstrap, topic, partitions, replicationFactor, configs };
}

async function main(): Promise<void> {
  const inv = parse(process.argv.slice(2));
  const admin = new Kafka({ clientId: 'kafka-topics-standin', brokers: inv.bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    if (inv.action === 'create') {
      const created = await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: inv.topic, numPartitions: inv.partitions ?? -1, replicationFactor: inv.replicationFactor ?? -1, configEntries: inv.configs }],
      });
      if (!created) throw new Error(`topic ${inv.topic} already exists`);
    } else if (inv.action === 'alter') {
      if (inv.partitions === undefined) throw new Error('--alter supports only --partitions');
      await admin.createPartitions({ topicPartitions: [{ topic: inv.topic, count: inv.partitions }] });
    } else {
      await admin.deleteTopics({ topics: [inv.topic] });
    }
    console.log(`${inv.action === "alter" ? "altered" : `${inv.action}d`} topic ${inv.topic}`);
  } finally {
    await admin.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(`kafka-topics stand-in: ${(err as Error).message}`);
  process.exit(1);
});
