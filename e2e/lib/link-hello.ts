/** A would-be predecessor's first words on the replication link, for tests of who may open one. */
import net, { type Socket } from 'node:net';
import { ApiKey } from '../../node/src/protocol/api-keys.ts';
import { decodeLinkMessage, encodeHello, LINK_API_VERSION, type LinkMessage } from '../../node/src/chain/link-protocol.ts';
import { FrameDecoder, encodeFrame } from '../../node/src/protocol/frame.ts';
import { writeRequestHeader } from '../../node/src/protocol/header.ts';
import { Writer } from '../../node/src/protocol/writer.ts';
import { parseAddress } from './kafka-wire.ts';

/** Sends a ChainReplicate Hello on an open socket and returns the first link message back, or null if the socket closes first. */
export async function sendHello(socket: Socket, to: string, from = 'intruder-9'): Promise<LinkMessage | null> {
  const w = new Writer(128);
  writeRequestHeader(w, 1, { apiKey: ApiKey.ChainReplicate, apiVersion: LINK_API_VERSION, correlationId: 1, clientId: 'intruder' });
  encodeHello(w, { epoch: 1_000_000, from, to });
  socket.write(encodeFrame(w.toBuffer()));
  const decoder = new FrameDecoder();
  return new Promise((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      const frames = decoder.push(chunk);
      if (frames.length > 0) resolve(decodeLinkMessage(frames[0]!));
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(null));
  });
}

/** Opens a plain TCP connection to `address`, sends a Hello, and closes it after the answer. */
export async function helloOverTcp(address: string, to: string): Promise<LinkMessage | null> {
  const socket = net.connect(parseAddress(address));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  try {
    return await sendHello(socket, to);
  } finally {
    socket.destroy();
  }
}
