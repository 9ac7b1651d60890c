/**
 * The transport ceiling for a fetch bench: the same files read (fs.readSync into reused buffers, as the
 * raw-read baseline) and written to a loopback TCP socket whose other end is `cat > /dev/null` (a C
 * reader doing no more than the kernel asks). No protocol, no framing, no consumer logic: what moving
 * the bytes from the page cache through loopback TCP costs on this machine, against which a Kafka
 * consumer reading the same bytes from the node can be put.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { exitedChildrenCpuSeconds } from './server.ts';

export interface LoopbackBaseline {
  bytes: number;
  seconds: number;
  mibPerSec: number;
  /** CPU ms per MiB of the sending side (this process) and of the reader (cat). */
  cpuMsPerMiB: { sender: number; reader: number };
}

/** Sends every file in `files`, `chunkBytes` per read and write, to `cat` over loopback TCP. */
export async function loopbackBaseline(files: string[], chunkBytes: number): Promise<LoopbackBaseline> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const children0 = exitedChildrenCpuSeconds();
  // bash's /dev/tcp: the reader is cat, with no Node (or anything else) between the socket and /dev/null.
  const reader = spawn('bash', ['-c', `exec cat < /dev/tcp/127.0.0.1/${port} > /dev/null`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  reader.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => reader.once('close', resolve));
  const socket = await accepted;
  server.close();
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  // Two buffers: one is read into while the socket still holds the other.
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  const written: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  let bytes = 0;
  let turn = 0;
  for (const file of files) {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      for (let position = 0; position < size; turn ^= 1) {
        await written[turn];
        const buf = buffers[turn]!;
        const n = fs.readSync(fd, buf, 0, Math.min(chunkBytes, size - position), position);
        if (n === 0) throw new Error(`${file} ended at ${position} of ${size} bytes`);
        position += n;
        bytes += n;
        written[turn] = new Promise((resolve, reject) => socket.write(buf.subarray(0, n), (err) => (err ? reject(err) : resolve())));
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  await Promise.all(written);
  socket.end();
  const code = await exited;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (code !== 0) throw new Error(`cat over loopback exited ${code}: ${stderr}`);
  const mib = bytes / (1024 * 1024);
  return {
    bytes, seconds, mibPerSec: mib / seconds,
    cpuMsPerMiB: { sender: (cpu.user + cpu.system) / 1000 / mib, reader: ((exitedChildrenCpuSeconds() - children0) * 1000) / mib },
  };
}
