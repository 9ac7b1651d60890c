/** Reading a topic back with a kafkajs consumer, as the transaction tests check what readers see. */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { waitFor } from './tools.ts';

/**
 * Values of one-partition `topic` read from the start with a fresh group until `last` arrives, in order;
 * `readUncommitted: false` reads as read_committed. The group is `<groupPrefix>-<uuid>` (ACLs may name the prefix).
 */
export async function readValuesUntil(client: Kafka, topic: string, last: string, readUncommitted: boolean, groupPrefix = 'reader'): Promise<string[]> {
  const consumer = client.consumer({ groupId: `${groupPrefix}-${randomUUID()}`, readUncommitted, maxWaitTimeInMs: 200 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  try {
    await waitFor(`${last} read from ${topic}`, () => (seen.includes(last) ? true : undefined), 60_000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
