// Keeps BackendData fresh without a fixed timer: while something is active (an upload being
// validated, a job running, an artifact being created) it polls, starting fast and backing
// off while nothing changes; when everything is idle it stops until poked (a command ran, the
// backend changed, the user refreshed).
import type * as vscode from 'vscode';
import type { BackendData } from './backend-data.ts';

export interface RefresherOptions {
  /** First interval after a change, in ms. */
  minIntervalMs: number;
  /** Longest interval while nothing changes, in ms. */
  maxIntervalMs: number;
  /** Growth of the interval per unchanged poll. */
  factor: number;
}

export class Refresher implements vscode.Disposable {
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private disposed = false;
  /** Polls done since activation (tests read it to see that idle means no polling). */
  polls = 0;

  constructor(
    private readonly data: BackendData,
    private readonly options: () => RefresherOptions,
  ) {
    this.interval = options().minIntervalMs;
  }

  /** True while a next poll is scheduled. */
  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** Loads now and (re)starts fast polling if anything is active. */
  async poke(): Promise<void> {
    this.interval = this.options().minIntervalMs;
    await this.tick(true);
  }

  private async tick(poked = false): Promise<void> {
    if (this.disposed) return;
    this.cancel();
    this.polls += 1;
    const changed = await this.data.load();
    if (this.disposed) return;
    const { minIntervalMs, maxIntervalMs, factor } = this.options();
    if (changed || poked) this.interval = minIntervalMs;
    else this.interval = Math.min(maxIntervalMs, Math.round(this.interval * factor));
    // A failed load keeps the last snapshot: polling goes on (backing off) only if something
    // was active then, so a stopped backend is not hammered while idle.
    if (this.data.active) {
      this.cancel();
      this.timer = setTimeout(() => void this.tick(), this.interval);
    }
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}
