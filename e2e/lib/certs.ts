/**
 * Test PKI made with the real `openssl` binary: a CA, and server certificates it signs for given IP and
 * DNS SANs. Each certificate gets a random serial, so a test can tell a reloaded certificate apart.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from './tools.ts';

export interface TestCa {
  dir: string;
  caCert: string;
  caKey: string;
}

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args);
  if (r.code !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

/** A fresh CA in a new temporary directory. */
export async function makeCa(): Promise<TestCa> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-pki-'));
  const ca = { dir, caCert: path.join(dir, 'ca.crt'), caKey: path.join(dir, 'ca.key') };
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', ca.caKey, '-out', ca.caCert, '-days', '2', '-subj', '/CN=vonnegut test CA']);
  return ca;
}

/** Signs a new key pair for these SANs; writes `<name>.crt` and `<name>.key` and returns the paths and serial (hex). */
export async function makeServerCert(ca: TestCa, name: string, sans: string[]): Promise<{ cert: string; key: string; serial: string }> {
  const key = path.join(ca.dir, `${name}.key`);
  const cert = path.join(ca.dir, `${name}.crt`);
  const csr = path.join(ca.dir, `${name}.csr`);
  const ext = path.join(ca.dir, `${name}.ext`);
  const serial = crypto.randomBytes(8).toString('hex').toUpperCase().replace(/^0+/, '1');
  fs.writeFileSync(ext, `subjectAltName=${sans.join(',')}\nextendedKeyUsage=serverAuth,clientAuth\n`);
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', csr, '-subj', `/CN=${name}`]);
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.caCert, '-CAkey', ca.caKey, '-set_serial', `0x${serial}`, '-out', cert, '-days', '2', '-extfile', ext]);
  return { cert, key, serial };
}
