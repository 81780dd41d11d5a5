/**
 * A heap that performs exactly the operations of Go's container/heap (Init = heapify, Pop = swap root
 * with last + down, Push = append + up). Items that compare equal come out in the same order as from
 * InfluxDB's sorted merge iterators, so rows of different series at the same time are ordered as
 * InfluxDB 1.x orders them.
 */
export class GoHeap<T> {
  constructor(
    readonly items: T[],
    private readonly less: (a: T, b: T) => boolean,
  ) {
    const n = items.length;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i, n);
  }

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const a = this.items;
    const n = a.length - 1;
    if (n < 0) return undefined;
    this.swap(0, n);
    this.down(0, n);
    return a.pop();
  }

  private swap(i: number, j: number): void {
    const a = this.items;
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }

  private up(j: number): void {
    const a = this.items;
    while (j > 0) {
      const i = (j - 1) >> 1;
      if (!this.less(a[j] as T, a[i] as T)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): void {
    const a = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(a[j2] as T, a[j1] as T)) j = j2;
      if (!this.less(a[j] as T, a[i] as T)) break;
      this.swap(i, j);
      i = j;
    }
  }
}
