// Cross-field rules of spec.security, kept once for both enforcers: the CRD carries each rule as a CEL
// x-kubernetes-validation (the API server rejects the resource), and resolveSpec checks the same
// predicate (a resource stored before the rule existed, or an API server without CEL, becomes
// Degraded/InvalidSpec instead of a pod that cannot start). The messages are identical on both paths.
import type { SecuritySpec } from './types.ts';

export interface SecurityRule {
  /** CEL over `self` = spec.security. */
  rule: string;
  message: string;
  /** The same rule in TypeScript. */
  holds(s: SecuritySpec): boolean;
}

const tlsProtocol = (s: SecuritySpec): boolean => s.protocol === 'SSL' || s.protocol === 'SASL_SSL';
const saslProtocol = (s: SecuritySpec): boolean => s.protocol === 'SASL_PLAINTEXT' || s.protocol === 'SASL_SSL';
const TLS_CEL = "has(self.protocol) && self.protocol in ['SSL', 'SASL_SSL']";
const SASL_CEL = "has(self.protocol) && self.protocol in ['SASL_PLAINTEXT', 'SASL_SSL']";

/** Principal names the node accepts in superUsers. */
export const PRINCIPAL_PATTERN = '^User:[^,\\s]+$';

/** The rules on spec.security, in the order the CRD lists them. */
export const SECURITY_RULES: readonly SecurityRule[] = [
  {
    rule: `!(${TLS_CEL}) || has(self.tls)`,
    message: 'security.tls.secretName is required when protocol is SSL or SASL_SSL',
    holds: (s) => !tlsProtocol(s) || s.tls !== undefined,
  },
  {
    rule: `!has(self.tls) || (${TLS_CEL})`,
    message: 'security.tls is set but protocol is neither SSL nor SASL_SSL, so the listener would not use it',
    holds: (s) => s.tls === undefined || tlsProtocol(s),
  },
  {
    rule: `!(${SASL_CEL}) || has(self.sasl)`,
    message: 'security.sasl (usersSecret and interBrokerUser) is required when protocol is SASL_PLAINTEXT or SASL_SSL',
    holds: (s) => !saslProtocol(s) || s.sasl !== undefined,
  },
  {
    rule: `!has(self.sasl) || (${SASL_CEL})`,
    message: 'security.sasl is set but protocol is neither SASL_PLAINTEXT nor SASL_SSL, so clients would not authenticate',
    holds: (s) => s.sasl === undefined || saslProtocol(s),
  },
  {
    rule: '!has(self.acls) || has(self.acls.configMap) != has(self.acls.secret)',
    message: 'security.acls needs exactly one of configMap or secret',
    holds: (s) => s.acls === undefined || (s.acls.configMap !== undefined) !== (s.acls.secret !== undefined),
  },
  {
    rule: `!has(self.superUsers) || self.superUsers.all(u, u.matches('${PRINCIPAL_PATTERN.replace(/\\/g, '\\\\')}'))`,
    message: 'security.superUsers entries are principals like User:admin',
    holds: (s) => (s.superUsers ?? []).every((u) => new RegExp(PRINCIPAL_PATTERN).test(u)),
  },
];

/** Messages of the rules a security spec breaks (empty when it is valid). */
export function securityProblems(s: SecuritySpec): string[] {
  return SECURITY_RULES.filter((r) => !r.holds(s)).map((r) => r.message);
}
