/** The internal chain replication API (key 1000): checks the Hello, then hands the socket to the chain. */
import { decodeHello, encodeLinkMessage } from '../../chain/link-protocol.ts';
import type { ChainNode } from '../../chain/chain-node.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { Reader } from '../../protocol/reader.ts';
import type { RawHandler } from '../router.ts';

/**
 * Accepts a replication link from this node's predecessor, or refuses it with a link Error message.
 * With SASL on, only the inter-broker principal may open one: any other user could otherwise append
 * to, or truncate, this node's logs.
 */
export function chainReplicateHandler(chain: ChainNode, interBrokerPrincipal: string | null = null): RawHandler {
  return {
    async raw(frame, ctx) {
      if (interBrokerPrincipal !== null && ctx.conn.principal !== interBrokerPrincipal) {
        return {
          takeover: (src) => {
            src.write(encodeLinkMessage({ type: 'error', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED.code, message: `${ctx.conn.principal} may not open a replication link` }));
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
            src.write(encodeLinkMessage({ type: 'error', errorCode: refusal.code, message: refusal.message }));
            src.socket.end();
          },
        };
      }
      return { takeover: (src) => chain.acceptLink(hello, src) };
    },
  };
}
