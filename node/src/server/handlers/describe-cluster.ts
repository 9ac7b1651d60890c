/** DescribeCluster: the same brokers, controller and cluster id that Metadata reports; the principal's cluster operations when asked. */
import { ENDPOINT_TYPE_BROKERS, decodeDescribeClusterRequest, encodeDescribeClusterResponse, type DescribeClusterRequest, type DescribeClusterResponse } from '../../protocol/apis/describe-cluster.ts';
import { AUTHORIZED_OPERATIONS_OMITTED } from '../../protocol/apis/metadata.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import { CLUSTER_NAME } from '../../security/acl.ts';
import type { AccessControl } from '../access-control.ts';
import type { Broker } from '../broker.ts';
import type { ApiHandler } from '../router.ts';

export function describeClusterHandler(broker: Broker, access: AccessControl): ApiHandler<DescribeClusterRequest, DescribeClusterResponse> {
  return {
    decode: decodeDescribeClusterRequest,
    encode: encodeDescribeClusterResponse,
    async handle(req, ctx) {
      const clusterAuthorizedOperations = req.includeClusterAuthorizedOperations ? access.authorizedOperations(ctx, 'cluster', CLUSTER_NAME) : AUTHORIZED_OPERATIONS_OMITTED;
      const base = { throttleTimeMs: 0, endpointType: req.endpointType, clusterId: broker.config.clusterId, clusterAuthorizedOperations };
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
