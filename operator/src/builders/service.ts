// The headless Service of one chain: its SRV records are how chain members and clients find each other.
import type { V1Service } from '@kubernetes/client-node';
import { ADMIN_PORT_NAME, KAFKA_PORT_NAME, selectorLabels } from '../names.ts';
import { chainMetadata, type BuildContext } from './context.ts';

/** Headless Service `<chain>`; port name `kafka` yields `_kafka._tcp.<chain>.<ns>.svc.<domain>`. */
export function headlessService(ctx: BuildContext, chain: string): V1Service {
  const { spec } = ctx;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: chainMetadata(ctx, chain),
    spec: {
      clusterIP: 'None',
      // Members must resolve each other before any of them is Ready: a chain is not writable (and so
      // not Ready) until all `replicas` members have found each other through these very records.
      publishNotReadyAddresses: true,
      selector: selectorLabels(spec.clusterName, chain),
      ports: [
        { name: KAFKA_PORT_NAME, port: spec.port, targetPort: KAFKA_PORT_NAME, protocol: 'TCP' },
        { name: ADMIN_PORT_NAME, port: spec.adminPort, targetPort: ADMIN_PORT_NAME, protocol: 'TCP' },
      ],
    },
  };
}
