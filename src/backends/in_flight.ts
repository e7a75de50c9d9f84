// Work started and not yet settled, for code that must wait for all of it:
// a GPU device destroyed only once the reads mapping on it are done
// (webgpu/commands.ts), a new BLAS thread count set only once the products
// already issued have run (native/pending.ts).
export class InFlight {
  private readonly settling = new Set<Promise<void>>();

  /** Counts `work` in until it settles (resolved or rejected); returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled = work.then(() => undefined, () => undefined);
    this.settling.add(settled);
    void settled.then(() => this.settling.delete(settled));
    return work;
  }

  /** Resolves once everything tracked so far, and anything tracked meanwhile, has settled. */
  async settled(): Promise<void> {
    while (this.settling.size) await Promise.all(this.settling);
  }
}
