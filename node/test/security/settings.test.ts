import test from 'ava';
import { resolveServeConfig } from '../../src/config.ts';

const ssl = { securityProtocol: 'SASL_SSL', tlsCertFile: '/c.pem', tlsKeyFile: '/k.pem', saslUsersFile: '/u.json' };

test('security settings come from flags or VONNEGUT_* env, with Kafka\'s protocol names', (t) => {
  const { config } = resolveServeConfig({}, {
    VONNEGUT_SECURITY_PROTOCOL: 'SASL_SSL', VONNEGUT_TLS_CERT_FILE: '/c.pem', VONNEGUT_TLS_KEY_FILE: '/k.pem', VONNEGUT_TLS_CA_FILE: '/ca.pem',
    VONNEGUT_SASL_USERS_FILE: '/u.json', VONNEGUT_SASL_MECHANISMS: 'SCRAM-SHA-512, PLAIN', VONNEGUT_SASL_INTER_BROKER_USER: 'broker', VONNEGUT_DISCOVERY: 'srv:_kafka._tcp.vg',
  });
  t.like(config, { securityProtocol: 'SASL_SSL', tlsCertFile: '/c.pem', tlsKeyFile: '/k.pem', tlsCaFile: '/ca.pem', saslUsersFile: '/u.json', saslInterBrokerUser: 'broker' });
  t.deepEqual(config.saslMechanisms, ['SCRAM-SHA-512', 'PLAIN']);
  t.is(resolveServeConfig({}, {}).config.securityProtocol, undefined, 'PLAINTEXT by default');
});

test('security settings that cannot work are startup errors naming the missing flag', (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ securityProtocol: 'TLS' }, /security protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/],
    [{ securityProtocol: 'SSL', tlsCertFile: '/c.pem' }, /--tls-key-file/],
    [{ securityProtocol: 'SASL_PLAINTEXT' }, /--sasl-users-file/],
    [{ ...ssl, saslMechanisms: 'GSSAPI' }, /SASL mechanisms must be a comma list/],
    [{ ...ssl, saslMechanisms: ' , ' }, /SASL mechanisms must be a comma list/],
    [{ ...ssl, discovery: 'srv:_kafka._tcp.vg' }, /--sasl-inter-broker-user/],
  ];
  for (const [flags, message] of cases) t.throws(() => resolveServeConfig(flags, {}), { message }, JSON.stringify(flags));
  t.notThrows(() => resolveServeConfig({ ...ssl }, {}), 'a solo SASL node needs no inter-broker user');
});
