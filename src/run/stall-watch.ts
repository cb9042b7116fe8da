/**
 * The stall watchdog of a long remote command (RemoteCommand.stall): it fires when the command shows no sign
 * of life for `seconds`. A sign of life is an output line, or one of apt's status lines (APT::Status-Fd, see
 * plan/commands.ts) that differs from the one before: apt repeats its `dlstatus:` line twice a second even when
 * no byte arrives, and changes it as bytes do, so a slow but moving download is not a stall. A `pmstatus:` line
 * means dpkg is at work (unpacking, configuring: no network left in that apt-get run), whose silent phases
 * (a long postinst) are no stall either: the watch pauses until the next `dlstatus:` line.
 */

/** Lines of apt's status protocol: progress for the watchdog, never shown or logged. */
const STATUS_LINE = /^(dlstatus|pmstatus|media-change):/;

export function isStatusLine(line: string): boolean {
  return STATUS_LINE.test(line);
}

/** A setTimeout/clearTimeout pair: the real one, or a test's fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class StallWatch {
  /** The last line the user saw (not a status line): what the error quotes. */
  lastLine = '';
  fired = false;
  private lastStatus = '';
  private paused = false;
  private timer: unknown;

  constructor(
    readonly seconds: number,
    private readonly onStall: () => void,
    private readonly timers: Timers = realTimers,
  ) {
    this.arm();
  }

  /** Feeds one output line; says whether it is for the user (false: an apt status line). */
  line(text: string): boolean {
    if (isStatusLine(text)) {
      if (text.startsWith('pmstatus:')) this.paused = true;
      else if (text.startsWith('dlstatus:')) this.paused = false;
      if (text !== this.lastStatus) this.arm();
      this.lastStatus = text;
      return false;
    }
    if (text.trim() !== '') this.lastLine = text.trim();
    this.arm();
    return true;
  }

  stop(): void {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.stop();
    if (this.fired) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      if (this.paused) return; // dpkg at work: the next dlstatus line (or output) arms it again
      this.fired = true;
      this.onStall();
    }, this.seconds * 1000);
  }
}

/**
 * The watchdog's bound: the command's own, or --apt-stall-seconds / PROVISION_APT_STALL_SECONDS (the
 * configuration's `aptStallSeconds`) when given. Meant for tests that stall apt on purpose
 * (test/e2e/apt-stall.test.ts) and for users whose mirror is known to pause longer than a minute.
 */
export function stallSeconds(ownSeconds: number, configured: number | undefined): number {
  return configured ?? ownSeconds;
}
