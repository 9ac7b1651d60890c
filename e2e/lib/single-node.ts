/** The fixture most single-node e2e files share: one node and one open wire connection for the whole file. */
import test from 'ava';
import { KafkaWire } from './kafka-wire.ts';
import { startNodeProcess, type NodeProcess, type NodeSpec } from './node-process.ts';

export interface SingleNode {
  node: NodeProcess;
  wire: KafkaWire;
}

/** Starts a node (and a connection to it) before the file's tests and destroys both after them. */
export function singleNode(spec: NodeSpec = {}): SingleNode {
  const one = {} as SingleNode;
  test.before(async () => {
    one.node = await startNodeProcess(spec);
    one.wire = await KafkaWire.connect(one.node.address);
  });
  test.after.always(async () => {
    one.wire?.close();
    await one.node?.destroy();
  });
  return one;
}
