/** Principals as Kafka names them: `User:<name>` after SASL, `User:ANONYMOUS` otherwise. */

export const ANONYMOUS_PRINCIPAL = 'User:ANONYMOUS';

/** The principal of an authenticated SASL user. */
export function userPrincipal(name: string): string {
  return `User:${name}`;
}
