import type { Tag } from './point.js';

/** What the parser remembers about one raw series key (the bytes of `measurement[,tags]` of a line). */
export interface SeriesEntry {
  readonly measurement: string;
  /** Normalized tags, shared by every point of the series (never mutate). */
  readonly tags: readonly Tag[];
  /** Canonical series key. */
  readonly key: string;
  /** True when a tag key is `time` (InfluxDB drops such points at write time). */
  readonly hasTimeTag: boolean;
}

/**
 * A remembered series key: its entry, its raw bytes, and the known key of the line that followed it last
 * time (lines of a body usually cycle through the same series in the same order, so the parser checks that
 * one first, by bytes, before building a string to look the key up).
 */
export interface KnownSeries {
  readonly entry: SeriesEntry;
  readonly raw: Buffer;
  next: KnownSeries | undefined;
}

const MAX_NAMES = 1 << 16;

/**
 * Memo shared by parseLines calls: raw series key -> parsed key parts, and field-key bytes -> string.
 * Reusing one cache across requests (one per HTTP server) saves re-parsing the tags of known series.
 * Bounded: the series map is cleared when it reaches `maxSeries` entries (default 20000, about 1 KiB
 * each for DevOps-like keys), the name table stops growing at 65536 names. One per thread.
 */
export class ParseCache {
  /** Series entries kept before the map is cleared. */
  readonly maxSeries: number;

  constructor(options: { readonly maxSeries?: number } = {}) {
    this.maxSeries = options.maxSeries ?? 20_000;
  }

  /** Raw key text (as decoded from the line, latin1) -> what is known of it. */
  readonly series = new Map<string, KnownSeries>();

  // open-addressing table of interned field names: slot -> entry index + 1 (0 = empty)
  private slots = new Int32Array(1024);
  private readonly hashes: number[] = [];
  private readonly bytes: Buffer[] = [];
  /** Interned names by id (ids are dense, from 0). */
  readonly names: string[] = [];

  /** Looks up a series by its raw key text (latin1). */
  getSeries(raw: string): KnownSeries | undefined {
    return this.series.get(raw);
  }

  /**
   * Remembers a series entry (clears the map first when it is full, unlinking what it held so that no
   * forgotten entry stays reachable through `next`).
   */
  setSeries(raw: string, entry: SeriesEntry): KnownSeries {
    if (this.series.size >= this.maxSeries) {
      for (const known of this.series.values()) known.next = undefined;
      this.series.clear();
    }
    const known: KnownSeries = { entry, raw: Buffer.from(raw, 'latin1'), next: undefined };
    this.series.set(raw, known);
    return known;
  }

  /**
   * Id of the interned name for the raw bytes buf[s, e) (computing it with `decode` on a miss), or -1 when the
   * table is full and the name is unknown (the caller then decodes on its own).
   */
  intern(buf: Uint8Array, s: number, e: number, decode: (buf: Uint8Array, s: number, e: number) => string): number {
    let h = 0x811c9dc5;
    for (let i = s; i < e; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h >>>= 0;
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = e - s;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const idx = slots[slot]! - 1;
      if (idx < 0) break;
      if (this.hashes[idx] !== h) continue;
      const b = this.bytes[idx]!;
      if (b.length !== len) continue;
      let k = 0;
      while (k < len && b[k] === buf[s + k]) k++;
      if (k === len) return idx;
    }
    if (this.names.length >= MAX_NAMES) return -1;
    const idx = this.names.length;
    this.names.push(decode(buf, s, e));
    this.hashes.push(h);
    this.bytes.push(Buffer.from(buf.subarray(s, e)));
    if ((idx + 1) * 2 > slots.length) this.grow();
    else this.place(this.slots, h, idx);
    return idx;
  }

  private place(slots: Int32Array, h: number, idx: number): void {
    const mask = slots.length - 1;
    let slot = h & mask;
    while (slots[slot] !== 0) slot = (slot + 1) & mask;
    slots[slot] = idx + 1;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    for (let i = 0; i < this.names.length; i++) this.place(slots, this.hashes[i]!, i);
    this.slots = slots;
  }
}
