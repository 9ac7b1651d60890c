/**
 * Finds the Kafka error codes in a decoded response, for `vonnegut_request_errors_total`.
 *
 * Every response type keeps its errors in fields named `errorCode` (top level, per topic, per partition,
 * per group member), so one walker over the response object counts them for every API, including ones
 * added later, without each handler reporting its own. Buffers (records, member metadata) are skipped,
 * so the walk costs one step per topic and partition, never per record.
 */
import { errorName } from '../protocol/error-codes.ts';

/** Calls `found` with the Kafka error name of every non-zero `errorCode` field in `response`. */
export function forEachResponseError(response: unknown, found: (error: string) => void): void {
  if (response === null || typeof response !== 'object' || Buffer.isBuffer(response)) return;
  if (Array.isArray(response)) {
    for (const item of response) forEachResponseError(item, found);
    return;
  }
  const fields = response as Record<string, unknown>;
  // for-in, not Object.entries: no array per object walked.
  for (const key in fields) {
    const value = fields[key];
    if (key === 'errorCode') {
      if (typeof value === 'number' && value !== 0) found(errorName(value) ?? `code_${value}`);
    } else if (value !== null && typeof value === 'object') {
      forEachResponseError(value, found);
    }
  }
}
