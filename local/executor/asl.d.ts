/** Types of `asl.js`, the local executor of the analysis state machine (see its header). */
export declare class StatesError extends Error {
  readonly error: string;
  readonly causeText: string;
  constructor(error: string, causeText: string);
}

/** A Task call the caller handles. */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly args: any;
  readonly context?: any;
  readonly signal?: AbortSignal;
}
export type TaskHandler = (call: TaskCall) => any;

export interface SleepInfo {
  readonly kind: 'wait' | 'retry';
  readonly state: string;
}

export interface RunOptions {
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly handler: TaskHandler;
  /** Wait states and retry intervals; default: real time scaled by LOCAL_SFN_TIME_SCALE. */
  readonly sleep?: (seconds: number, info: SleepInfo) => Promise<void> | void;
  /** Distributed Map children at once, at most (default: the cores). */
  readonly maxConcurrency?: number;
  /** StopExecution. */
  readonly signal?: AbortSignal;
  /** Enforce TimeoutSeconds in scaled real time (default true). */
  readonly executionTimeout?: boolean;
  /** Jitter source (default Math.random). */
  readonly random?: () => number;
  readonly onState?: (name: string) => void;
  /** Before each Distributed Map child starts; a StatesError thrown fails that child. */
  readonly onMapChild?: (child: { state: string; label: string; childName: string }) => Promise<void> | void;
}

export interface MapRun {
  readonly state: string;
  readonly label: string;
  readonly items: number;
  readonly concurrency: number;
  readonly maxRunning: number;
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
  /** State transitions, retries and child-workflow transitions included. */
  readonly transitions: number;
  /** Top-level states entered, in order. */
  readonly path: string[];
  readonly retries: Array<{ state: string; error: string; delaySeconds: number }>;
  readonly mapRuns: MapRun[];
}

export declare function checkDefinition(machine: any, where?: string, top?: boolean): void;
export declare function template(value: any, vars: Record<string, any>, states: any): Promise<any>;
export declare function runExecution(definition: any, input: any, opts: RunOptions): Promise<RunResult>;
export declare function retryDelay(retrier: any, retry: number, random?: () => number): number;
export declare function timeScale(): number;
export declare function jsonataVersion(): string;
