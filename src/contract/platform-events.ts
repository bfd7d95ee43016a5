/** What a platform tells the harness: events it observed, and the undo of a change it made. */

/** Undoes one change to the world. Idempotent: calling it twice is harmless. */
export type Revert = () => Promise<void>;

export type RolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded' | 'Aborted';

/** Observable platform events; `t` is epoch milliseconds. */
export type PlatformEvent =
  | { readonly t: number; readonly type: 'replicas'; readonly service: string; readonly from: number; readonly to: number; readonly reason: string }
  | { readonly t: number; readonly type: 'restart'; readonly service: string; readonly replica: string; readonly restarts: number }
  | { readonly t: number; readonly type: 'ready'; readonly service: string; readonly replica: string; readonly ready: boolean }
  /** A replica that never became ready (crashed while starting, or a readiness timeout): it serves nothing. */
  | { readonly t: number; readonly type: 'replica-failed'; readonly service: string; readonly replica: string; readonly reason: string }
  | {
      readonly t: number;
      readonly type: 'rollout';
      readonly service: string;
      readonly phase: RolloutPhase;
      readonly weight: number;
      readonly version: string;
      readonly message?: string;
    }
  | { readonly t: number; readonly type: 'analysis'; readonly service: string; readonly metric: string; readonly value: unknown; readonly result: 'Successful' | 'Failed' | 'Inconclusive' | 'Error' }
  | {
      readonly t: number;
      readonly type: 'fault';
      readonly id: string;
      readonly kind: string;
      readonly target: string;
      readonly edge: 'start' | 'end';
      /** What the fault really did, when that differs by machine (cpu-stress: confined to the target's cgroup, or not). */
      readonly note?: string;
    };
