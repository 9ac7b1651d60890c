/**
 * Field helpers that pick the classic or the compact (flexible, KIP-482) encoding by a flag, so each API
 * codec is written once and its flexible versions differ only where Kafka's schema says they do.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';

/** Reads a non-null string. */
export function rString(r: Reader, flex: boolean): string {
  return flex ? r.compactString() : r.string();
}

/** Reads a nullable string. */
export function rNullableString(r: Reader, flex: boolean): string | null {
  return flex ? r.compactNullableString() : r.nullableString();
}

/** Reads nullable bytes (records fields). */
export function rNullableBytes(r: Reader, flex: boolean): Buffer | null {
  return flex ? r.compactNullableBytes() : r.nullableBytes();
}

/** Reads a non-null array (a null count reads as empty). */
export function rArray<T>(r: Reader, flex: boolean, item: (r: Reader) => T): T[] {
  return flex ? r.compactArray(item) : r.array(item);
}

/** Reads a nullable array. */
export function rNullableArray<T>(r: Reader, flex: boolean, item: (r: Reader) => T): T[] | null {
  return flex ? r.compactNullableArray(item) : r.nullableArray(item);
}

/** Reads and discards the tagged-field section of a flexible structure. */
export function rTags(r: Reader, flex: boolean): void {
  if (flex) r.taggedFields();
}

/** Writes a non-null string. */
export function wString(w: Writer, flex: boolean, s: string): void {
  if (flex) w.compactString(s);
  else w.string(s);
}

/** Writes a nullable string. */
export function wNullableString(w: Writer, flex: boolean, s: string | null): void {
  if (flex) w.compactNullableString(s);
  else w.nullableString(s);
}

/** Writes nullable bytes. */
export function wNullableBytes(w: Writer, flex: boolean, b: Uint8Array | null): void {
  if (flex) w.compactNullableBytes(b);
  else w.nullableBytes(b);
}

/** Writes a non-null array. */
export function wArray<T>(w: Writer, flex: boolean, items: readonly T[], item: (w: Writer, v: T) => void): void {
  if (flex) w.compactArray(items, item);
  else w.array(items, item);
}

/** Writes a nullable array. */
export function wNullableArray<T>(
  w: Writer,
  flex: boolean,
  items: readonly T[] | null,
  item: (w: Writer, v: T) => void,
): void {
  if (flex) w.compactNullableArray(items, item);
  else w.nullableArray(items, item);
}

/** Writes an empty tagged-field section in flexible structures. */
export function wTags(w: Writer, flex: boolean): void {
  if (flex) w.taggedFields();
}

/** Reads an int32 array (broker ids, partition ids). */
export function rInt32s(r: Reader, flex: boolean): number[] {
  return rArray(r, flex, (x) => x.int32());
}

/** Writes an int32 array. */
export function wInt32s(w: Writer, flex: boolean, v: readonly number[]): void {
  wArray(w, flex, v, (x, n) => x.int32(n));
}
