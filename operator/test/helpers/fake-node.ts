// A fake node for the sidecar: a small loopback HTTP server that stands in for the node's admin API
// (GET /v1/status, PUT /v1/config, POST /v1/drain) with scriptable state.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NodeConfigUpdate, NodeStatus } from '../../src/sidecar/node-admin-api.ts';

/** Fake node admin API with scriptable state. */
export class FakeNode {
  server!: Server;
  port = 0;
  configs: NodeConfigUpdate[] = [];
  drains = 0;
  down = false;
  /** Polls of /v1/status that report draining but not yet drained after a drain request. */
  drainPolls = 2;
  status: NodeStatus = {
    nodeId: 1, nodeName: 'logs-1-2', chain: 'logs-1', role: 'tail', members: ['logs-1-0', 'logs-1-1', 'logs-1-2'], writable: true,
    partitions: [{ topic: 'orders', partition: 0, logStartOffset: 0, logEndOffset: 42, highWatermark: 40 }],
  };

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        if (this.down) { res.writeHead(503).end('starting'); return; }
        if (req.method === 'GET' && req.url === '/v1/status') {
          if (this.status.draining && !this.status.drained && --this.drainPolls < 0) this.status = { ...this.status, drained: true, partitions: [] };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.status));
        } else if (req.method === 'PUT' && req.url === '/v1/config') {
          this.configs.push(JSON.parse(body) as NodeConfigUpdate);
          res.writeHead(204).end();
        } else if (req.method === 'POST' && req.url === '/v1/drain') {
          this.drains++;
          this.status = { ...this.status, draining: true };
          res.writeHead(202).end();
        } else res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => { this.server.close(() => r()); this.server.closeAllConnections(); });
  }
}
