/** Free ports for servers a test starts (Prometheus, dnsmasq, nodes that must know their ports up front). */
import net from 'node:net';

/** A TCP port nobody listens on now at `host` (the OS picks it; the caller binds it soon after). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
