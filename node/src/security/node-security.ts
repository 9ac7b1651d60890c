/**
 * A node's security as its settings describe it: the listener's TLS material and SASL authenticator,
 * and the dialer every node-to-node connection goes through (same protocol as the listener: TLS
 * verified against the CA file, SASL as the inter-broker user). Settings are checked here once more,
 * so an embedded startNode gets the same errors as the command line.
 */
import type { Logger } from '../logging.ts';
import { SaslAuthenticator } from './authenticator.ts';
import { dial, type Dialer } from './dial.ts';
import { userPrincipal } from './principal.ts';
import type { SaslMechanism } from './sasl/mechanism.ts';
import { TlsMaterial } from './tls.ts';
import { UserStore } from './users.ts';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

export interface SecuritySettings {
  securityProtocol?: SecurityProtocol;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  tlsCaFile?: string;
  saslMechanisms?: SaslMechanism[];
  saslUsersFile?: string;
  saslInterBrokerUser?: string;
}

export const DEFAULT_SASL_MECHANISMS: readonly SaslMechanism[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'];

/** Whether the protocol uses TLS / SASL. */
export const usesTls = (p: SecurityProtocol): boolean => p === 'SSL' || p === 'SASL_SSL';
export const usesSasl = (p: SecurityProtocol): boolean => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

/** Why these settings cannot work, or null. `chained`: the node has peers to dial. */
export function securityProblem(s: SecuritySettings, chained: boolean): string | null {
  const protocol = s.securityProtocol ?? 'PLAINTEXT';
  if (usesTls(protocol) && (!s.tlsCertFile || !s.tlsKeyFile)) return `security protocol ${protocol} needs --tls-cert-file and --tls-key-file`;
  if (usesSasl(protocol) && !s.saslUsersFile) return `security protocol ${protocol} needs --sasl-users-file`;
  if (usesSasl(protocol) && (s.saslMechanisms?.length ?? 1) === 0) return 'no SASL mechanism enabled';
  if (usesSasl(protocol) && chained && !s.saslInterBrokerUser) return `a chain member with ${protocol} needs --sasl-inter-broker-user to authenticate to its peers`;
  return null;
}

export class NodeSecurity {
  readonly protocol: SecurityProtocol;
  readonly tls: TlsMaterial | null;
  readonly users: UserStore | null;
  readonly sasl: SaslAuthenticator | null;
  /** The principal peers authenticate as; null when SASL is off. */
  readonly interBrokerPrincipal: string | null;
  /** Every outbound node-to-node connection. */
  readonly dial: Dialer;

  /** Loads certificate and users files (throws with a message that quotes neither). */
  constructor(settings: SecuritySettings, chained: boolean, log: Logger) {
    const problem = securityProblem(settings, chained);
    if (problem) throw new Error(problem);
    this.protocol = settings.securityProtocol ?? 'PLAINTEXT';
    this.tls = usesTls(this.protocol)
      ? new TlsMaterial({ certFile: settings.tlsCertFile!, keyFile: settings.tlsKeyFile!, ...(settings.tlsCaFile ? { caFile: settings.tlsCaFile } : {}) }, log.child({ component: 'tls' }))
      : null;
    const saslOn = usesSasl(this.protocol);
    const interBrokerUser = saslOn ? settings.saslInterBrokerUser : undefined;
    this.users = saslOn ? new UserStore(settings.saslUsersFile!, interBrokerUser, log.child({ component: 'users' })) : null;
    const users = this.users;
    const mechanisms = settings.saslMechanisms ?? [...DEFAULT_SASL_MECHANISMS];
    this.sasl = users ? new SaslAuthenticator(mechanisms, () => users.current) : null;
    this.interBrokerPrincipal = interBrokerUser ? userPrincipal(interBrokerUser) : null;
    // Peers enable the same mechanisms; the strongest enabled one is used between nodes.
    const peerMechanism: SaslMechanism = (['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const).find((m) => mechanisms.includes(m)) ?? 'SCRAM-SHA-512';
    const material = this.tls;
    this.dial = (host, port) =>
      dial(host, port, {
        clientId: 'vonnegut-node',
        ...(material ? { tls: material.current.ca ? { ca: material.current.ca } : true } : {}),
        ...(users && interBrokerUser ? { sasl: { mechanism: peerMechanism, username: interBrokerUser, password: users.current.interBrokerPassword! } } : {}),
      });
  }

  /** Stops watching files. */
  close(): void {
    this.tls?.close();
    this.users?.close();
  }
}
