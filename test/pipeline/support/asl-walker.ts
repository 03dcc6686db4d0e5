/**
 * A small interpreter for the JSONata subset of the Amazon States Language that the analysis
 * state machine uses. It REFUSES (throws) on any state type, field or option it does not
 * implement, so a definition cannot pass here by relying on something that is silently ignored.
 *
 * Implemented: Pass, Task, Choice, Map (Items, ItemSelector, ItemProcessor with its own variable
 * scope, ToleratedFailurePercentage), Parallel (branches run concurrently, read the outer
 * variables, assign only their own; the first failing branch fails the state and stops the
 * others), Wait (a literal `Seconds`, handed to the test's virtual clock), Succeed, Fail; Assign,
 * Output, Arguments, Retry (counted, not waited), Catch; the Step Functions `$parse` function;
 * `$states.input/result/errorOutput/context`.
 * Not simulated: retry intervals, timeouts, MaxConcurrency (iterations run one after the other),
 * Label, payload-size limits, IAM.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const jsonata = require('jsonata');

export class StatesError extends Error {
  constructor(public readonly error: string, public readonly causeText: string) {
    super(`${error}: ${causeText}`);
  }
}

/** A Task call the test handles. */
export interface TaskCall {
  readonly state: string;
  readonly resource: string;
  readonly args: any;
}
export type TaskHandler = (call: TaskCall) => any;

export interface RunOptions {
  readonly executionName: string;
  readonly stateMachineArn: string;
  readonly handler: TaskHandler;
  /** Called by a Wait state: advances the test's virtual clock. */
  readonly sleep?: (seconds: number) => Promise<void> | void;
}

export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: string;
  readonly cause?: string;
  /** State transitions, retries and child-workflow transitions included. */
  readonly transitions: number;
  /** Top-level states entered, in order. */
  readonly path: string[];
  readonly retries: Array<{ state: string; error: string }>;
}

const TOP_FIELDS = ['Comment', 'QueryLanguage', 'StartAt', 'TimeoutSeconds', 'States'];
const PROCESSOR_FIELDS = ['ProcessorConfig', 'Comment', 'StartAt', 'States'];
const FIELDS: Record<string, string[]> = {
  Pass: ['Type', 'Comment', 'Assign', 'Output', 'Next', 'End'],
  Task: ['Type', 'Comment', 'Resource', 'Arguments', 'Assign', 'Output', 'Retry', 'Catch', 'Next', 'End'],
  Choice: ['Type', 'Comment', 'Choices', 'Default'],
  Map: ['Type', 'Comment', 'Items', 'ItemSelector', 'ItemProcessor', 'MaxConcurrency', 'Label',
    'ToleratedFailurePercentage', 'Assign', 'Output', 'Retry', 'Catch', 'Next', 'End'],
  Parallel: ['Type', 'Comment', 'Branches', 'Assign', 'Output', 'Retry', 'Catch', 'Next', 'End'],
  Wait: ['Type', 'Comment', 'Seconds', 'Next', 'End'],
  Succeed: ['Type', 'Comment', 'Output'],
  Fail: ['Type', 'Comment', 'Error', 'Cause'],
};
const RETRY_FIELDS = ['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds', 'JitterStrategy'];
const CATCH_FIELDS = ['ErrorEquals', 'Comment', 'Assign', 'Output', 'Next'];
const RULE_FIELDS = ['Condition', 'Assign', 'Next'];

function refuse(where: string, what: string): never {
  throw new Error(`asl-walker refuses ${where}: ${what} is not implemented`);
}

function checkFields(where: string, obj: any, allowed: string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) refuse(where, `field '${key}'`);
  }
}

/** Checks a whole machine (and nested processors) before running it. */
export function checkDefinition(machine: any, where = 'definition', top = true): void {
  checkFields(where, machine, top ? TOP_FIELDS : PROCESSOR_FIELDS);
  if (top && machine.QueryLanguage !== 'JSONata') refuse(where, `QueryLanguage '${machine.QueryLanguage}'`);
  if (!machine.States[machine.StartAt]) throw new Error(`${where}: StartAt '${machine.StartAt}' is not a state`);
  for (const [name, st] of Object.entries<any>(machine.States)) {
    const allowed = FIELDS[st.Type];
    if (!allowed) refuse(`state ${name}`, `state type '${st.Type}'`);
    checkFields(`state ${name}`, st, allowed);
    for (const r of st.Retry ?? []) checkFields(`Retry of ${name}`, r, RETRY_FIELDS);
    for (const c of st.Catch ?? []) checkFields(`Catch of ${name}`, c, CATCH_FIELDS);
    for (const r of st.Choices ?? []) checkFields(`Choice rule of ${name}`, r, RULE_FIELDS);
    if (st.Type === 'Map') {
      const cfg = st.ItemProcessor.ProcessorConfig ?? {};
      checkFields(`ProcessorConfig of ${name}`, cfg, ['Mode', 'ExecutionType']);
      if (cfg.Mode !== 'DISTRIBUTED' || cfg.ExecutionType !== 'STANDARD') refuse(`state ${name}`, 'a Map other than DISTRIBUTED/STANDARD');
      checkDefinition(st.ItemProcessor, `ItemProcessor of ${name}`, false);
    }
    if (st.Type === 'Parallel') {
      st.Branches.forEach((b: any, i: number) => checkDefinition(b, `branch ${i} of ${name}`, false));
    }
    if (st.Type === 'Wait' && (typeof st.Seconds !== 'number' || st.Seconds < 0)) refuse(`state ${name}`, 'a Wait without literal Seconds');
    if (st.Type === 'Task' && typeof st.Resource !== 'string') refuse(`state ${name}`, 'a non-string Resource');
  }
}

async function evaluate(source: string, vars: Record<string, any>, states: any): Promise<any> {
  let expr: any;
  try {
    expr = jsonata(source);
  } catch (e: any) {
    throw new Error(`invalid JSONata ${source}: ${e.message}`);
  }
  expr.registerFunction('parse', (s: string) => JSON.parse(s), '<s:x>');
  let result: any;
  try {
    result = await expr.evaluate(undefined, { ...vars, states });
  } catch (e: any) {
    throw new StatesError('States.QueryEvaluationError', `${e.message} in ${source.trim().slice(0, 120)}`);
  }
  if (result === undefined) {
    throw new StatesError('States.QueryEvaluationError', `expression is undefined: ${source.trim().slice(0, 160)}`);
  }
  return JSON.parse(JSON.stringify(result));
}

/** Evaluates `{% %}` strings anywhere in a template; other values are copied. */
export async function template(value: any, vars: Record<string, any>, states: any): Promise<any> {
  if (typeof value === 'string') {
    const m = /^\{%([\s\S]*)%\}$/.exec(value);
    return m ? evaluate(m[1], vars, states) : value;
  }
  if (Array.isArray(value)) {
    const out = [];
    for (const v of value) out.push(await template(v, vars, states));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await template(v, vars, states);
    return out;
  }
  return value;
}

function errorMatches(list: string[], error: string): boolean {
  return list.some((e) => e === error || (e === 'States.ALL' && error !== 'States.Runtime'));
}

interface Stats { transitions: number; retries: Array<{ state: string; error: string }> }

/** Set when a sibling Parallel branch failed: this branch stops at its next state. */
interface Abort { aborted: boolean }
class Aborted extends Error {}

/** Variables of a Parallel branch: reads fall through to the outer scope, writes stay in the branch. */
function branchScope(outer: Record<string, any>): Record<string, any> {
  return new Proxy({} as Record<string, any>, {
    get: (own, key) => (key in own ? own[key as string] : outer[key as string]),
    has: (own, key) => key in own || key in outer,
    ownKeys: (own) => [...new Set([...Reflect.ownKeys(outer), ...Reflect.ownKeys(own)])],
    getOwnPropertyDescriptor: (own, key) => ({
      configurable: true, enumerable: true, writable: true, value: key in own ? own[key as string] : outer[key as string],
    }),
    set: (own, key, value) => {
      if (key in outer) throw new Error(`asl-walker refuses an Assign of outer variable '${String(key)}' inside a Parallel branch`);
      own[key as string] = value;
      return true;
    },
  });
}

async function runMachine(machine: any, input: any, vars: Record<string, any>, context: any, opts: RunOptions,
  stats: Stats, path?: string[], abort?: Abort): Promise<{ status: 'SUCCEEDED' | 'FAILED'; output?: any; error?: string; cause?: string }> {
  let name: string = machine.StartAt;
  let stateInput = input;
  for (;;) {
    const st = machine.States[name];
    if (!st) throw new Error(`no state '${name}'`);
    if (abort?.aborted) throw new Aborted();
    stats.transitions++;
    path?.push(name);
    const ctx = { ...context, State: { Name: name, EnteredTime: '2026-01-01T00:00:00Z' } };
    const states = { input: stateInput, context: ctx };
    try {
      switch (st.Type) {
        case 'Pass': {
          const assign = st.Assign ? await template(st.Assign, vars, states) : undefined;
          const output = st.Output !== undefined ? await template(st.Output, vars, states) : stateInput;
          Object.assign(vars, assign ?? {});
          if (st.End) return { status: 'SUCCEEDED', output };
          name = st.Next; stateInput = output;
          continue;
        }
        case 'Choice': {
          let next: string | undefined;
          for (const rule of st.Choices) {
            const ok = await template(rule.Condition, vars, states);
            if (typeof ok !== 'boolean') throw new StatesError('States.QueryEvaluationError', `Condition is not a boolean in ${name}`);
            if (ok) {
              if (rule.Assign) Object.assign(vars, await template(rule.Assign, vars, states));
              next = rule.Next;
              break;
            }
          }
          next = next ?? st.Default;
          if (!next) throw new StatesError('States.NoChoiceMatched', `no choice matched in ${name}`);
          name = next;
          continue;
        }
        case 'Wait':
          // Waiting takes time: whatever another branch can do without waiting happens first, both
          // before the clock moves (a job submitted beside the Wait exists by then) and after.
          await new Promise((resolve) => setImmediate(resolve));
          await opts.sleep?.(st.Seconds);
          await new Promise((resolve) => setImmediate(resolve));
          if (st.End) return { status: 'SUCCEEDED', output: stateInput };
          name = st.Next;
          continue;
        case 'Succeed':
          return { status: 'SUCCEEDED', output: st.Output !== undefined ? await template(st.Output, vars, states) : stateInput };
        case 'Fail':
          return {
            status: 'FAILED',
            error: await template(st.Error, vars, states),
            cause: await template(st.Cause, vars, states),
          };
        case 'Task':
        case 'Parallel':
        case 'Map': {
          const attempts = new Map<number, number>();
          let outcome: { result?: any; error?: StatesError };
          for (;;) {
            try {
              const result = st.Type === 'Task'
                ? await runTask(name, st, vars, states, opts)
                : st.Type === 'Parallel'
                  ? await runParallel(st, vars, stateInput, context, opts, stats)
                  : await runMap(st, vars, states, context, opts, stats);
              outcome = { result };
            } catch (e: any) {
              if (!(e instanceof StatesError)) throw e;
              outcome = { error: e };
            }
            if (!outcome.error) break;
            const index = (st.Retry ?? []).findIndex((r: any) => errorMatches(r.ErrorEquals, outcome.error!.error));
            if (index < 0) break;
            const used = attempts.get(index) ?? 0;
            if (used >= (st.Retry[index].MaxAttempts ?? 3)) break;
            attempts.set(index, used + 1);
            stats.retries.push({ state: name, error: outcome.error.error });
            stats.transitions++;
          }
          if (outcome.error) {
            const catcher = (st.Catch ?? []).find((c: any) => errorMatches(c.ErrorEquals, outcome.error!.error));
            if (!catcher) return { status: 'FAILED', error: outcome.error.error, cause: outcome.error.causeText };
            const errorStates = { ...states, errorOutput: { Error: outcome.error.error, Cause: outcome.error.causeText } };
            const assign = catcher.Assign ? await template(catcher.Assign, vars, errorStates) : undefined;
            const output = catcher.Output !== undefined ? await template(catcher.Output, vars, errorStates) : errorStates.errorOutput;
            Object.assign(vars, assign ?? {});
            name = catcher.Next; stateInput = output;
            continue;
          }
          const resultStates = { ...states, result: outcome.result };
          const assign = st.Assign ? await template(st.Assign, vars, resultStates) : undefined;
          const output = st.Output !== undefined ? await template(st.Output, vars, resultStates) : outcome.result;
          Object.assign(vars, assign ?? {});
          if (st.End) return { status: 'SUCCEEDED', output };
          name = st.Next; stateInput = output;
          continue;
        }
        default:
          refuse(`state ${name}`, `state type '${st.Type}'`);
      }
    } catch (e: any) {
      if (e instanceof StatesError) return { status: 'FAILED', error: e.error, cause: e.causeText };
      throw e;
    }
  }
}

async function runTask(name: string, st: any, vars: Record<string, any>, states: any, opts: RunOptions): Promise<any> {
  const args = st.Arguments !== undefined ? await template(st.Arguments, vars, states) : {};
  return opts.handler({ state: name, resource: st.Resource, args });
}

/** Runs the branches concurrently; the first failure fails the state and stops the other branches. */
async function runParallel(st: any, vars: Record<string, any>, input: any, context: any, opts: RunOptions, stats: Stats): Promise<any[]> {
  const abort: Abort = { aborted: false };
  return new Promise<any[]>((resolve, reject) => {
    const outputs: any[] = new Array(st.Branches.length);
    let done = 0;
    st.Branches.forEach((branch: any, i: number) => {
      runMachine(branch, input, branchScope(vars), context, opts, stats, undefined, abort).then((r) => {
        if (abort.aborted) return;
        if (r.status === 'FAILED') {
          abort.aborted = true;
          reject(new StatesError(r.error!, r.cause ?? ''));
          return;
        }
        outputs[i] = r.output;
        if (++done === st.Branches.length) resolve(outputs);
      }, (e) => {
        if (e instanceof Aborted) return;
        abort.aborted = true;
        reject(e);
      });
    });
  });
}

async function runMap(st: any, vars: Record<string, any>, states: any, context: any, opts: RunOptions, stats: Stats): Promise<any[]> {
  const items = await template(st.Items, vars, states);
  if (!Array.isArray(items)) throw new StatesError('States.QueryEvaluationError', 'Items is not an array');
  const results: any[] = [];
  let failures = 0;
  for (let index = 0; index < items.length; index++) {
    const mapContext = { ...states.context, Map: { Item: { Index: index, Value: items[index] } } };
    const childInput = st.ItemSelector !== undefined
      ? await template(st.ItemSelector, vars, { ...states, context: mapContext })
      : items[index];
    // A Distributed Map child is its own execution: it sees none of the parent's variables.
    const child = await runMachine(st.ItemProcessor, childInput, {},
      { ...context, Execution: { ...context.Execution, Name: `${context.Execution.Name}-child-${index}` } }, opts, stats);
    if (child.status === 'FAILED') {
      failures++;
      results.push({ Error: child.error, Cause: child.cause });
    } else {
      results.push(child.output);
    }
  }
  const tolerated = st.ToleratedFailurePercentage ?? 0;
  if (items.length > 0 && (failures * 100) / items.length > tolerated) {
    throw new StatesError('States.ExceedToleratedFailureThreshold', `${failures} of ${items.length} iterations failed`);
  }
  return results;
}

/** Runs one execution of `definition` with `input`. */
export async function runExecution(definition: any, input: any, opts: RunOptions): Promise<RunResult> {
  checkDefinition(definition);
  if (typeof definition.TimeoutSeconds !== 'number') throw new Error('the definition has no TimeoutSeconds');
  const stats: Stats = { transitions: 0, retries: [] };
  const path: string[] = [];
  const context = {
    Execution: { Name: opts.executionName, Id: `${opts.stateMachineArn.replace(':stateMachine:', ':execution:')}:${opts.executionName}`, Input: input },
    StateMachine: { Id: opts.stateMachineArn, Name: opts.stateMachineArn.split(':').pop() },
  };
  const r = await runMachine(definition, input, {}, context, opts, stats, path);
  return { ...r, transitions: stats.transitions, path, retries: stats.retries };
}
