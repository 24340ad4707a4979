/**
 * Recording the kernel calls of one inference pass, and replaying them (models/inference_plan.ts).
 * At batch 1 a MobileNetV2 predict() spends about a tenth of its time in the JavaScript between its
 * ~50 kernels (graph walk, tensors, shape checks, fusion planning); the same model on the same input
 * shape makes the same calls every time, so a replay of the recorded calls skips all of it.
 *
 * A backend records the calls into its compiled kernels. Anything that computes outside them while
 * recording (a js fallback kernel, a conversion in JavaScript) taints the recording: it is then
 * never replayed. Output arrays the backend allocates are noted, so the caller knows which storage the
 * recorded calls write and can take it out of circulation.
 */

type KernelFn = (...args: unknown[]) => unknown;

interface Step {
  fn: KernelFn;
  args: unknown[];
  /** A primitive result the replay must see again (a kernel's answer, e.g. allFinite); undefined: none. */
  expect: unknown;
}

/** Zeroes an output the recorded kernel accumulates into (allocated zeroed on the first pass). */
const zeroFill: KernelFn = (a) => {
  (a as Float32Array).fill(0);
  return undefined;
};

export class KernelRecorder {
  private steps: Step[] | null = null;
  private allocated = new Set<Float32Array>();
  private tainted: string | null = null;

  /** `hooks` run when recording starts and stops (a backend installs its allocation observer there). */
  constructor(private readonly hooks: { start?: () => void; stop?: () => void } = {}) {}

  get active(): boolean {
    return this.steps !== null;
  }

  /**
   * A copy of `fns` whose functions log their calls while recording. `skip` names functions that
   * are not kernels (queries, one-off packing of constants); `scratch` holds argument arrays the
   * caller refills before every call (they are copied into the log, not referenced).
   */
  wrap<T extends object>(fns: T, skip: ReadonlySet<string>, scratch: ReadonlySet<object>): T {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fns)) {
      if (typeof value !== 'function' || skip.has(name)) {
        out[name] = value;
        continue;
      }
      const fn = value as KernelFn;
      out[name] = (...args: unknown[]) => {
        const result = fn(...args);
        if (this.steps !== null) this.log(fn, args, result, scratch);
        return result;
      };
    }
    return out as T;
  }

  /** Starts recording; false when a recording is already running (it is tainted: calls would interleave). */
  start(): boolean {
    if (this.steps !== null) {
      this.taint('a second recording started inside this one');
      return false;
    }
    this.steps = [];
    this.allocated = new Set();
    this.tainted = null;
    this.hooks.start?.();
    return true;
  }

  /** Ends recording: the tape, or null when something ran outside the recorded kernels. */
  stop(): KernelTape | null {
    const steps = this.steps;
    this.steps = null;
    this.hooks.stop?.();
    if (steps === null || this.tainted !== null) return null;
    return new KernelTape(steps, this.allocated);
  }

  /** Why the current recording cannot be replayed, once something tainted it. */
  get taintReason(): string | null {
    return this.tainted;
  }

  /** Marks the recording unreplayable: `what` computed outside the recorded kernels. */
  taint(what: string): void {
    if (this.steps !== null && this.tainted === null) this.tainted = what;
  }

  /** An output array the backend allocated for a kernel; `zeroed` when the kernel relies on zeros. */
  noteAllocation(a: Float32Array, zeroed: boolean): void {
    if (this.steps === null) return;
    this.allocated.add(a);
    if (zeroed) this.steps.push({ fn: zeroFill, args: [a], expect: undefined });
  }

  private log(fn: KernelFn, args: unknown[], result: unknown, scratch: ReadonlySet<object>): void {
    if (result !== null && typeof result === 'object' && !args.includes(result)) {
      this.taint(`${fn.name || 'a kernel'} returned an array it allocated`);
    }
    const copy = args.map((a) => {
      if (a !== null && typeof a === 'object' && scratch.has(a)) return (a as Int32Array).slice();
      return Array.isArray(a) ? a.slice() : a;
    });
    (this.steps as Step[]).push({ fn, args: copy, expect: typeof result === 'object' ? undefined : result });
  }
}

/** Where a swapped array sits in the log: step, argument, and index inside an array argument (or -1). */
type Patch = [step: number, arg: number, inner: number, slot: number];

export class KernelTape {
  constructor(private readonly steps: readonly Step[], readonly allocated: ReadonlySet<Float32Array>) {}

  /** How many kernel calls (and zero fills) the tape holds. */
  get length(): number {
    return this.steps.length;
  }

  /**
   * A replay of the tape in which each of `swapped` (the recorded input and outputs) is replaced
   * by the array given at its index. The replay returns false when a kernel's primitive result
   * differs from the recorded one (the caller then runs the pass normally).
   */
  compile(swapped: readonly Float32Array[]): (arrays: readonly Float32Array[]) => boolean {
    const steps = this.steps.map((s) => ({ ...s, args: s.args.map((a) => (Array.isArray(a) ? a.slice() : a)) }));
    const patches: Patch[] = [];
    const slotOf = (v: unknown) => swapped.indexOf(v as Float32Array);
    steps.forEach((s, i) => s.args.forEach((a, j) => {
      if (Array.isArray(a)) {
        a.forEach((e, k) => { if (slotOf(e) >= 0) patches.push([i, j, k, slotOf(e)]); });
      } else if (slotOf(a) >= 0) {
        patches.push([i, j, -1, slotOf(a)]);
      }
    }));
    const place = (arrays: readonly (Float32Array | null)[]) => {
      for (const [i, j, k, slot] of patches) {
        if (k < 0) steps[i].args[j] = arrays[slot];
        else (steps[i].args[j] as unknown[])[k] = arrays[slot];
      }
    };
    const cleared = swapped.map(() => null);
    place(cleared);
    return (arrays) => {
      place(arrays);
      try {
        for (const s of steps) {
          const r = s.fn(...s.args);
          if (s.expect !== undefined && r !== s.expect) return false;
        }
        return true;
      } finally {
        place(cleared);  // the tape keeps no reference to the caller's input or outputs
      }
    };
  }
}
