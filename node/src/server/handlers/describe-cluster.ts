/** DescribeCluster: the same brokers, controller and cluster id that Metadata reports. */
import { ENDPOINT_TYPE_BROKERS, decodeDescribeClusterRequest, encodeDescribeClusterResponse, type DescribeClusterRequest, type DescribeClusterResponse } from '../../protocol/apis/describe-cluster.ts';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/apis/metadata.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

export function describeClusterHandler(broker: Broker): ApiHandler<DescribeClusterRequest, DescribeClusterResponse> {
  return {
    decode: decodeDescribeClusterRequest,
    encode: encodeDescribeClusterResponse,
    async handle(req) {
      const base = { throttleTimeMs: 0, endpointType: req.endpointType, clusterId: broker.config.clusterId, clusterAuthorizedOperations: AUTHORIZED_OPERATIONS_OMITTED };
      if (req.endpointType !== ENDPOINT_TYPE_BROKERS) {
        // Controller endpoints (KIP-919) do not exist here: every node is a broker.
        return { ...base, errorCode: ErrorCode.UNSUPPORTED_VERSION.code, errorMessage: 'only broker endpoints exist', controllerId: -1, brokers: [] };
      }
      return {
        ...base,
        errorCode: 0,
        errorMessage: null,
        controllerId: broker.controllerId(),
        brokers: broker.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: null })),
      };
    },
  };
}
