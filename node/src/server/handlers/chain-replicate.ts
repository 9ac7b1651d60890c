/** The internal chain replication API (key 1000): checks the Hello, then hands the socket to the chain. */
import { decodeHello, encodeLinkMessage } from '../../chain/link-protocol.ts';
import type { ChainNode } from '../../chain/chain-node.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { Reader } from '../../protocol/reader.ts';
import type { RawHandler } from '../router.ts';
import { OPEN_ACCESS, type AccessControl } from '../access-control.ts';

/**
 * Accepts a replication link from this node's predecessor, or refuses it with a link Error message.
 * With SASL on, only the inter-broker principal may open one: any other user could otherwise append
 * to, or truncate, this node's logs. With ACLs on, the principal also needs ClusterAction on the
 * cluster (as Kafka asks of replica fetchers), which the inter-broker user has as a super user; on a
 * PLAINTEXT chain with ACLs that means granting it to User:ANONYMOUS, in the open.
 */
export function chainReplicateHandler(chain: ChainNode, interBrokerPrincipal: string | null = null, access: AccessControl = OPEN_ACCESS): RawHandler {
  return {
    async raw(frame, ctx) {
      const denied = interBrokerPrincipal !== null && ctx.conn.principal !== interBrokerPrincipal
        ? `${ctx.conn.principal} may not open a replication link`
        : !access.cluster(ctx, 'cluster_action') ? `${ctx.conn.principal} lacks ClusterAction on the cluster` : null;
      if (denied !== null) {
        return {
          takeover: (src) => {
            src.write(encodeLinkMessage({ type: 'error', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, message: denied, epoch: chain.epoch }));
            src.socket.end();
          },
        };
      }
      let hello;
      try {
        hello = decodeHello(new Reader(frame, ctx.header.bodyOffset));
      } catch {
        return { close: 'malformed chain hello' };
      }
      const refusal = chain.checkHello(hello);
      if (refusal) {
        return {
          takeover: (src) => {
            src.write(encodeLinkMessage({ type: 'error', errorCode: refusal.code, message: refusal.message, epoch: chain.epoch }));
            src.socket.end();
          },
        };
      }
      return { takeover: (src) => chain.acceptLink(hello, src) };
    },
  };
}
