/**
 * The broker side of a topic's `compression.type` (Kafka's LogValidator): `producer` keeps each batch as
 * the producer compressed it; `uncompressed`, `gzip`, `snappy`, `lz4` or `zstd` make the broker store every
 * data batch in that codec, recompressing those that arrive in another one. Only the records section
 * changes: it is the same concatenation of records under every codec, so the header fields (offsets,
 * timestamps, producer id, epoch and sequence, transactional bit, record count) stay as the producer sent
 * them, the attributes' codec bits change, and a fresh CRC-32C seals the batch. Control batches (transaction
 * markers) are never compressed, as in Kafka.
 */
import { crc32c } from '@node-rs/crc32';
import { Compression, compress, decompress, type CompressionCode } from './compression.ts';
import { ATTRIBUTES_AT, BATCH_HEADER_SIZE, BATCH_LENGTH_AT, COMPRESSION_MASK, CONTROL_BIT, CRC_AT, LOG_OVERHEAD, validateBatch } from './record-batch.ts';

/** The codec a topic's compression.type makes the broker store, or null for `producer` (keep the producer's). */
export function topicCodec(compressionType: string): CompressionCode | null {
  switch (compressionType) {
    case 'producer': return null;
    case 'uncompressed': return Compression.none;
    case 'gzip': return Compression.gzip;
    case 'snappy': return Compression.snappy;
    case 'lz4': return Compression.lz4;
    case 'zstd': return Compression.zstd;
    default: throw new Error(`unknown compression.type ${compressionType}`);
  }
}

/**
 * `buf`'s batches with every data batch in `codec`: `buf` itself when none needs a change, else a new
 * buffer. Batches are checked first (a corrupt batch is refused with CORRUPT_MESSAGE, never re-sealed).
 */
export function recompressBatches(buf: Buffer, codec: CompressionCode): Buffer {
  const parts: Buffer[] = [];
  let changed = false;
  for (let pos = 0; pos < buf.length;) {
    const size = validateBatch(buf, pos);
    const batch = buf.subarray(pos, pos + size);
    const attributes = batch.readInt16BE(ATTRIBUTES_AT);
    const source = attributes & COMPRESSION_MASK;
    if (source === codec || (attributes & CONTROL_BIT) !== 0) {
      parts.push(batch);
    } else {
      const records = compress(codec, decompress(source, batch.subarray(BATCH_HEADER_SIZE)));
      const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + records.length);
      batch.copy(out, 0, 0, BATCH_HEADER_SIZE);
      records.copy(out, BATCH_HEADER_SIZE);
      out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH_AT);
      out.writeInt16BE((attributes & ~COMPRESSION_MASK) | codec, ATTRIBUTES_AT);
      out.writeUInt32BE(crc32c(out.subarray(ATTRIBUTES_AT)), CRC_AT);
      parts.push(out);
      changed = true;
    }
    pos += size;
  }
  return changed ? Buffer.concat(parts) : buf;
}
