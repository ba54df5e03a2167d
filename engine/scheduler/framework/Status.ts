/**
 * The verdict of a plugin at one extension point, as upstream's `framework.Status`: a code, the
 * reasons that end up in FailedScheduling messages, and the plugin that produced it. Plugins
 * return statuses; they never throw for an expected outcome.
 */
export enum Code {
  Success = 0,
  /** An internal error: the pod is retried with back-off. */
  Error = 1,
  /** The node cannot run the pod now; preemption may help. */
  Unschedulable = 2,
  /** The node cannot run the pod and preemption on it cannot help. */
  UnschedulableAndUnresolvable = 3,
  /** Permit: wait. */
  Wait = 4,
  /** PreFilter/PreScore: this plugin has nothing to do for the pod; skip its Filter/Score. */
  Skip = 5,
  /** Waiting for something outside the scheduler (not a node problem). */
  Pending = 6,
}

export class Status {
  plugin = "";
  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
  ) {}

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(message: string): Status {
    return new Status(Code.Error, [message]);
  }

  /** One shared, frozen Skip (no plugin, no reasons): every cycle skips several plugins. */
  static skip(): Status {
    return skipped;
  }

  /** Reasons joined as upstream's `Status.Message()`. */
  message(): string {
    return this.reasons.join(", ");
  }

  isRejected(): boolean {
    return (
      this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending
    );
  }

  withPlugin(plugin: string): Status {
    this.plugin = plugin;
    return this;
  }
}

const skipped: Status = Object.freeze(new Status(Code.Skip, Object.freeze([]) as unknown as string[])) as Status;

/** A successful verdict. Plugins return `null` for success on hot paths (Filter), which callers treat alike. */
export type MaybeStatus = Status | null;

export function isSuccess(status: MaybeStatus): boolean {
  return status === null || status.code === Code.Success;
}
