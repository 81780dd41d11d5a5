/** Boolean block codec: one bit per value, most significant bit first. */

/** Encodes values[start..start+n). */
export function encodeBooleans(values: readonly boolean[], start: number, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >> 3);
  for (let i = 0; i < n; i++) if (values[start + i]) out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** Decodes `n` booleans. */
export function decodeBooleans(buf: Uint8Array, n: number): boolean[] {
  const out = new Array<boolean>(n);
  for (let i = 0; i < n; i++) out[i] = ((buf[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  return out;
}
