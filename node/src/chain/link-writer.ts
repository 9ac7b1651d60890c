/**
 * How link messages go onto a replication link's socket: corked until the end of the tick, so every
 * message of one turn (the Appends a middle node forwards from one socket read, several partitions,
 * pings) leaves in one writev; batches go out as the buffers they are, never copied into a message.
 */
import type net from 'node:net';
import { frameSizePrefix } from '../protocol/frame.ts';
import { isRecycledFrame, requestFramePool } from '../protocol/frame-pool.ts';
import { appendMessageHead, encodeLinkMessage, type LinkMessage } from './link-protocol.ts';

/**
 * Largest Append message a group of fresh appends is gathered into (a single larger request still goes
 * alone). Each message costs the successor one frame, one check call and one segment write, so fewer
 * is cheaper; but a successor appends a message only once all of it arrived, so a bigger one delays the
 * next hop. 512 bytes under 256 KiB: a message with its head still fits the frame pool's 256 KiB class.
 */
export const SHIP_GROUP_BYTES = 256 * 1024 - 512;

export class LinkWriter {
  private corked = false;

  constructor(private readonly socket: net.Socket) {}

  /** Whether the socket's queue is over its high-water mark (wait for 'drain'). */
  get full(): boolean {
    return this.socket.writableNeedDrain;
  }

  /**
   * Appends `buffers` (whole batches, back to back as in the log) as few Append messages as
   * SHIP_GROUP_BYTES allows, each written as [head, ...buffers].
   */
  appendGroups(epoch: number, topic: string, partition: number, partitionCount: number, buffers: readonly Buffer[]): void {
    let group: Buffer[] = [];
    let bytes = 0;
    for (const b of buffers) {
      if (group.length > 0 && bytes + b.length > SHIP_GROUP_BYTES) {
        this.append(epoch, topic, partition, partitionCount, group, bytes);
        group = [];
        bytes = 0;
      }
      group.push(b);
      bytes += b.length;
    }
    if (group.length > 0) this.append(epoch, topic, partition, partitionCount, group, bytes);
  }

  /**
   * One Append message of `parts` (`bytes` in all). A part inside a recycled request frame is retained
   * until the socket has written it, and copied only when the pool no longer holds that frame
   * (frame-pool.ts): the frame is reused once its request is done, while this queue may still hold it.
   */
  append(epoch: number, topic: string, partition: number, partitionCount: number, parts: readonly Buffer[], bytes: number): void {
    if (!this.cork()) return;
    this.socket.write(appendMessageHead(epoch, topic, partition, partitionCount, bytes));
    for (const part of parts) {
      if (!isRecycledFrame(part)) this.socket.write(part);
      else if (requestFramePool.retain(part)) this.socket.write(part, () => requestFramePool.release(part));
      else this.socket.write(Buffer.from(part));
    }
  }

  /** Any other link message, size-prefixed. */
  send(msg: LinkMessage): void {
    if (!this.cork()) return;
    const body = encodeLinkMessage(msg);
    this.socket.write(frameSizePrefix(body.length));
    this.socket.write(body);
  }

  /** Corks the socket until the end of this tick; false once it is destroyed. */
  private cork(): boolean {
    if (this.socket.destroyed) return false;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    return true;
  }
}
