'use strict';
/**
 * The local executor of the analysis state machine: an interpreter for the JSONata subset of the
 * Amazon States Language that the synthesized definition uses.
 *
 * Why our own: moto's Step Functions does not evaluate JSONata, and aws-local-stepfunctions
 * supports neither JSONata nor Distributed Map. Step Functions evaluates JSONata 2.0.6; the
 * repository pins that version (`.projenrc.ts`), and `jsonataVersion()` reports what is loaded.
 *
 * It REFUSES (throws before running) any state type, field or option it does not implement, so a
 * definition cannot pass here by relying on something that is silently ignored.
 *
 * Implemented:
 * - Pass, Task, Choice, Map (DISTRIBUTED/STANDARD with `Items`, `ItemSelector`, `ItemProcessor`
 *   in its own variable scope, `MaxConcurrency` bounded by the cores, `Label`,
 *   `ToleratedFailurePercentage`), Parallel (branches run concurrently, read the outer variables,
 *   assign only their own; the first failing branch fails the state and stops the others),
 *   Wait (literal `Seconds`), Succeed, Fail;
 * - Assign, Output, Arguments, Retry (IntervalSeconds, BackoffRate, MaxDelaySeconds, MaxAttempts,
 *   JitterStrategy FULL, all waited), Catch; the Step Functions `$parse` function;
 *   `$states.input/result/errorOutput/context`;
 * - the execution's `TimeoutSeconds` (States.Timeout) and StopExecution (an AbortSignal: ABORTED).
 *
 * Waiting is real time scaled by `LOCAL_SFN_TIME_SCALE` (default 1; 0.01 makes a 30 s Wait last
 * 0.3 s) unless the caller passes its own `sleep` (a test's virtual clock).
 *
 * Refused: ItemReader, ItemBatcher, ItemsPath/ResultWriter, INLINE maps, JSONPath states, Task
 * TimeoutSeconds/HeartbeatSeconds/Credentials, Wait with Timestamp or an expression.
 * Not simulated: payload-size limits, history-event limits, IAM (the platform's IAM evaluator
 * checks recorded calls instead).
 */
const os = require('os');
const jsonata = require('jsonata');

class StatesError extends Error {
  constructor(error, causeText) {
    super(`${error}: ${causeText}`);
    this.error = error;
    this.causeText = causeText;
  }
}

class Aborted extends Error {}

const TOP_FIELDS = ['Comment', 'QueryLanguage', 'StartAt', 'TimeoutSeconds', 'States'];
const PROCESSOR_FIELDS = ['ProcessorConfig', 'Comment', 'StartAt', 'States'];
const FIELDS = {
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

function refuse(where, what) {
  throw new Error(`the local executor refuses ${where}: ${what} is not implemented`);
}

function checkFields(where, obj, allowed) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) refuse(where, `field '${key}'`);
  }
}

/** The JSONata version loaded (Step Functions evaluates 2.0.6). */
function jsonataVersion() {
  return require('jsonata/package.json').version;
}

/** Checks a whole machine (and nested processors) before running it. */
function checkDefinition(machine, where = 'definition', top = true) {
  checkFields(where, machine, top ? TOP_FIELDS : PROCESSOR_FIELDS);
  if (top && machine.QueryLanguage !== 'JSONata') refuse(where, `QueryLanguage '${machine.QueryLanguage}'`);
  if (!machine.States || !machine.States[machine.StartAt]) throw new Error(`${where}: StartAt '${machine.StartAt}' is not a state`);
  for (const [name, st] of Object.entries(machine.States)) {
    const allowed = FIELDS[st.Type];
    if (!allowed) refuse(`state ${name}`, `state type '${st.Type}'`);
    checkFields(`state ${name}`, st, allowed);
    for (const r of st.Retry ?? []) {
      checkFields(`Retry of ${name}`, r, RETRY_FIELDS);
      if (r.JitterStrategy !== undefined && !['FULL', 'NONE'].includes(r.JitterStrategy)) refuse(`Retry of ${name}`, `JitterStrategy '${r.JitterStrategy}'`);
    }
    for (const c of st.Catch ?? []) checkFields(`Catch of ${name}`, c, CATCH_FIELDS);
    for (const r of st.Choices ?? []) checkFields(`Choice rule of ${name}`, r, RULE_FIELDS);
    for (const next of [st.Next, st.Default, ...(st.Choices ?? []).map((c) => c.Next), ...(st.Catch ?? []).map((c) => c.Next)]) {
      if (next !== undefined && !machine.States[next]) throw new Error(`${where}: state ${name} goes to '${next}', which is not a state`);
    }
    if (st.Type === 'Map') {
      const cfg = st.ItemProcessor.ProcessorConfig ?? {};
      checkFields(`ProcessorConfig of ${name}`, cfg, ['Mode', 'ExecutionType']);
      if (cfg.Mode !== 'DISTRIBUTED' || cfg.ExecutionType !== 'STANDARD') refuse(`state ${name}`, 'a Map other than DISTRIBUTED/STANDARD');
      if (st.Items === undefined) refuse(`state ${name}`, 'a Map without Items');
      if (st.MaxConcurrency !== undefined && !(Number.isInteger(st.MaxConcurrency) && st.MaxConcurrency >= 0)) {
        refuse(`state ${name}`, 'a MaxConcurrency that is not a literal integer');
      }
      checkDefinition(st.ItemProcessor, `ItemProcessor of ${name}`, false);
    }
    if (st.Type === 'Parallel') {
      st.Branches.forEach((b, i) => checkDefinition(b, `branch ${i} of ${name}`, false));
    }
    if (st.Type === 'Wait' && (typeof st.Seconds !== 'number' || st.Seconds < 0)) refuse(`state ${name}`, 'a Wait without literal Seconds');
    if (st.Type === 'Task' && typeof st.Resource !== 'string') refuse(`state ${name}`, 'a non-string Resource');
  }
}

async function evaluate(source, vars, states) {
  let expr;
  try {
    expr = jsonata(source);
  } catch (e) {
    throw new Error(`invalid JSONata ${source}: ${e.message}`);
  }
  expr.registerFunction('parse', (s) => JSON.parse(s), '<s:x>');
  let result;
  try {
    result = await expr.evaluate(undefined, { ...vars, states });
  } catch (e) {
    throw new StatesError('States.QueryEvaluationError', `${e.message} in ${source.trim().slice(0, 120)}`);
  }
  if (result === undefined) {
    throw new StatesError('States.QueryEvaluationError', `expression is undefined: ${source.trim().slice(0, 160)}`);
  }
  return JSON.parse(JSON.stringify(result));
}

/** Evaluates `{% %}` strings anywhere in a template; other values are copied. */
async function template(value, vars, states) {
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
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await template(v, vars, states);
    return out;
  }
  return value;
}

function errorMatches(list, error) {
  return list.some((e) => e === error || (e === 'States.ALL' && error !== 'States.Runtime'));
}

/**
 * The wait before retry number `retry` (0 for the first) of a retrier, in seconds: IntervalSeconds
 * (default 1) x BackoffRate (default 2) ^ retry, at most MaxDelaySeconds; with JitterStrategy FULL,
 * a uniformly random part of it.
 */
function retryDelay(retrier, retry, random = Math.random) {
  const base = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, retry);
  const capped = retrier.MaxDelaySeconds !== undefined ? Math.min(base, retrier.MaxDelaySeconds) : base;
  return retrier.JitterStrategy === 'FULL' ? random() * capped : capped;
}

/** Seconds of real time per state-machine second (`LOCAL_SFN_TIME_SCALE`, default 1). */
function timeScale() {
  const raw = process.env.LOCAL_SFN_TIME_SCALE;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`LOCAL_SFN_TIME_SCALE must be a number >= 0 (e.g. 0.01), not '${raw}'`);
  return n;
}

/** Real waiting, scaled; stops early (rejecting) when `signal` aborts. */
function realSleep(seconds, signal) {
  const ms = seconds * 1000 * timeScale();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fns` with at most `limit` at once; results in order. */
async function pool(limit, count, fn) {
  const results = new Array(count);
  let next = 0;
  const workers = [];
  for (let w = 0; w < Math.max(1, Math.min(limit, count)); w++) {
    workers.push((async () => {
      while (next < count) {
        const i = next++;
        results[i] = await fn(i);
      }
    })());
  }
  await Promise.all(workers);
  return results;
}

/** Variables of a Parallel branch: reads fall through to the outer scope, writes stay in the branch. */
function branchScope(outer) {
  return new Proxy({}, {
    get: (own, key) => (key in own ? own[key] : outer[key]),
    has: (own, key) => key in own || key in outer,
    ownKeys: (own) => [...new Set([...Reflect.ownKeys(outer), ...Reflect.ownKeys(own)])],
    getOwnPropertyDescriptor: (own, key) => ({
      configurable: true, enumerable: true, writable: true, value: key in own ? own[key] : outer[key],
    }),
    set: (own, key, value) => {
      if (key in outer) throw new Error(`the local executor refuses an Assign of outer variable '${String(key)}' inside a Parallel branch`);
      own[key] = value;
      return true;
    },
  });
}

class Run {
  constructor(opts) {
    this.opts = opts;
    this.stats = { transitions: 0, retries: [], mapRuns: [] };
    this.sleepFn = opts.sleep ?? ((seconds) => realSleep(seconds, opts.signal));
    this.cores = opts.maxConcurrency ?? (os.availableParallelism ? os.availableParallelism() : os.cpus().length);
    this.random = opts.random ?? Math.random;
  }

  checkAbort(abort) {
    if (this.opts.signal?.aborted || abort?.aborted) throw new Aborted();
  }

  async machine(machine, input, vars, context, path, abort) {
    let name = machine.StartAt;
    let stateInput = input;
    for (;;) {
      const st = machine.States[name];
      this.checkAbort(abort);
      this.stats.transitions++;
      path?.push(name);
      this.opts.onState?.(name);
      const ctx = { ...context, State: { Name: name, EnteredTime: new Date().toISOString() } };
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
            let next;
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
            // Whatever another branch can do without waiting happens first, before and after.
            await new Promise((resolve) => setImmediate(resolve));
            await this.sleepFn(st.Seconds, { kind: 'wait', state: name });
            await new Promise((resolve) => setImmediate(resolve));
            this.checkAbort(abort);
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
            const attempts = new Map();
            let outcome;
            for (;;) {
              try {
                const result = st.Type === 'Task'
                  ? await this.task(name, st, vars, states)
                  : st.Type === 'Parallel'
                    ? await this.parallel(st, vars, stateInput, context)
                    : await this.map(name, st, vars, states, context);
                outcome = { result };
              } catch (e) {
                if (!(e instanceof StatesError)) throw e;
                outcome = { error: e };
              }
              // A stopped execution ends here, whatever its running task answered.
              this.checkAbort(abort);
              if (!outcome.error) break;
              const index = (st.Retry ?? []).findIndex((r) => errorMatches(r.ErrorEquals, outcome.error.error));
              if (index < 0) break;
              const used = attempts.get(index) ?? 0;
              if (used >= (st.Retry[index].MaxAttempts ?? 3)) break;
              attempts.set(index, used + 1);
              const delay = retryDelay(st.Retry[index], used, this.random);
              this.stats.retries.push({ state: name, error: outcome.error.error, delaySeconds: delay });
              this.stats.transitions++;
              await this.sleepFn(delay, { kind: 'retry', state: name });
              this.checkAbort(abort);
            }
            if (outcome.error) {
              const catcher = (st.Catch ?? []).find((c) => errorMatches(c.ErrorEquals, outcome.error.error));
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
      } catch (e) {
        if (e instanceof StatesError) return { status: 'FAILED', error: e.error, cause: e.causeText };
        throw e;
      }
    }
  }

  async task(name, st, vars, states) {
    const args = st.Arguments !== undefined ? await template(st.Arguments, vars, states) : {};
    return this.opts.handler({ state: name, resource: st.Resource, args, context: states.context, signal: this.opts.signal });
  }

  /** Runs the branches concurrently; the first failure fails the state and stops the other branches. */
  parallel(st, vars, input, context) {
    const abort = { aborted: false };
    return new Promise((resolve, reject) => {
      const outputs = new Array(st.Branches.length);
      let done = 0;
      st.Branches.forEach((branch, i) => {
        this.machine(branch, input, branchScope(vars), context, undefined, abort).then((r) => {
          if (abort.aborted) return;
          if (r.status === 'FAILED') {
            abort.aborted = true;
            reject(new StatesError(r.error, r.cause ?? ''));
            return;
          }
          outputs[i] = r.output;
          if (++done === st.Branches.length) resolve(outputs);
        }, (e) => {
          if (e instanceof Aborted && abort.aborted) return;
          abort.aborted = true;
          reject(e);
        });
      });
    });
  }

  /**
   * A Distributed Map: each item runs as its own child execution (none of the parent's
   * variables), at most min(MaxConcurrency, cores) at once (MaxConcurrency 0 means no limit of its own).
   */
  async map(name, st, vars, states, context) {
    const items = await template(st.Items, vars, states);
    if (!Array.isArray(items)) throw new StatesError('States.QueryEvaluationError', `Items of ${name} is not an array`);
    const limit = st.MaxConcurrency ? Math.min(st.MaxConcurrency, this.cores) : this.cores;
    const label = st.Label ?? name;
    const mapRun = { state: name, label, items: items.length, concurrency: limit, maxRunning: 0 };
    this.stats.mapRuns.push(mapRun);
    let running = 0;
    const children = await pool(limit, items.length, async (index) => {
      const mapContext = { ...states.context, Map: { Item: { Index: index, Value: items[index] } } };
      const childInput = st.ItemSelector !== undefined
        ? await template(st.ItemSelector, vars, { ...states, context: mapContext })
        : items[index];
      running++;
      mapRun.maxRunning = Math.max(mapRun.maxRunning, running);
      try {
        const childName = `${label}:${context.Execution.Name}-${index}`;
        try {
          // The parent starts the child execution (and may describe and stop it): a caller's check.
          await this.opts.onMapChild?.({ state: name, label, childName });
        } catch (e) {
          if (e instanceof StatesError) return { status: 'FAILED', error: e.error, cause: e.causeText };
          throw e;
        }
        return await this.machine(st.ItemProcessor, childInput, {},
          { ...context, Execution: { ...context.Execution, Name: childName, Input: childInput } });
      } finally {
        running--;
      }
    });
    let failures = 0;
    const results = children.map((child) => {
      if (child.status === 'FAILED') {
        failures++;
        return { Error: child.error, Cause: child.cause };
      }
      return child.output;
    });
    const tolerated = st.ToleratedFailurePercentage ?? 0;
    if (items.length > 0 && (failures * 100) / items.length > tolerated) {
      throw new StatesError('States.ExceedToleratedFailureThreshold', `${failures} of ${items.length} iterations failed`);
    }
    return results;
  }
}

/**
 * Runs one execution of `definition` with `input`.
 * Options: executionName, stateMachineArn, handler(call) for Task states, and optionally
 * sleep(seconds, { kind: 'wait' | 'retry', state }), maxConcurrency (default: the cores),
 * signal (an AbortSignal: StopExecution), executionTimeout (default true: TimeoutSeconds in
 * scaled real time), random (jitter), onState(name), onMapChild({ state, label, childName }) (may throw
 * a StatesError: that child fails).
 */
async function runExecution(definition, input, opts) {
  checkDefinition(definition);
  if (typeof definition.TimeoutSeconds !== 'number') throw new Error('the definition has no TimeoutSeconds');
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const run = new Run({ ...opts, signal });
  const path = [];
  const context = {
    Execution: {
      Name: opts.executionName,
      Id: `${opts.stateMachineArn.replace(':stateMachine:', ':execution:')}:${opts.executionName}`,
      Input: input,
      StartTime: new Date().toISOString(),
    },
    StateMachine: { Id: opts.stateMachineArn, Name: opts.stateMachineArn.split(':').pop() },
  };
  let timer;
  const timeout = opts.executionTimeout === false ? new Promise(() => {}) : new Promise((resolve) => {
    timer = setTimeout(() => resolve({ status: 'TIMED_OUT', error: 'States.Timeout', cause: `the execution ran longer than TimeoutSeconds (${definition.TimeoutSeconds})` }),
      definition.TimeoutSeconds * 1000 * timeScale());
  });
  let r;
  try {
    r = await Promise.race([run.machine(definition, input, {}, context, path), timeout]);
  } catch (e) {
    if (!(e instanceof Aborted)) throw e;
    r = { status: 'ABORTED', error: 'States.Aborted', cause: 'the execution was stopped' };
  } finally {
    clearTimeout(timer);
  }
  // A timed-out execution stops its running states (their tasks see the signal).
  if (r.status === 'TIMED_OUT') controller.abort();
  return { ...r, transitions: run.stats.transitions, path, retries: run.stats.retries, mapRuns: run.stats.mapRuns };
}

module.exports = { StatesError, checkDefinition, template, runExecution, retryDelay, timeScale, jsonataVersion, pool };
