'use strict';
// Tests of the local executor (node --test local/). Each builds a small JSONata definition.
const test = require('node:test');
const assert = require('node:assert/strict');
const { runExecution, checkDefinition, retryDelay, jsonataVersion, StatesError } = require('./asl');

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Local';
const machine = (states, startAt = Object.keys(states)[0], extra = {}) => ({ QueryLanguage: 'JSONata', StartAt: startAt, TimeoutSeconds: 3600, States: states, ...extra });
const run = (definition, input, opts = {}) => runExecution(definition, input, { executionName: 'x-1', stateMachineArn: ARN, handler: () => ({}), ...opts });

test('JSONata is pinned to the version Step Functions evaluates (2.0.6)', () => {
  assert.equal(jsonataVersion(), '2.0.6');
});

test('refuses what it does not implement, naming the state and the field', () => {
  const map = (extra, cfg = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }) => machine({
    M: { Type: 'Map', Items: '{% [1] %}', ItemProcessor: { ProcessorConfig: cfg, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, End: true, ...extra },
  });
  assert.throws(() => checkDefinition(map({ ItemReader: { Resource: 'arn:aws:states:::s3:getObject' } })), /refuses state M: field 'ItemReader'/);
  assert.throws(() => checkDefinition(map({ ItemBatcher: { MaxItemsPerBatch: 2 } })), /refuses state M: field 'ItemBatcher'/);
  assert.throws(() => checkDefinition(map({}, { Mode: 'INLINE' })), /a Map other than DISTRIBUTED\/STANDARD/);
  assert.throws(() => checkDefinition(machine({ W: { Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', End: true } })), /field 'Timestamp'/);
  assert.throws(() => checkDefinition(machine({ T: { Type: 'Task', Resource: 'arn:x', TimeoutSeconds: 5, End: true } })), /field 'TimeoutSeconds'/);
  assert.throws(() => checkDefinition(machine({ P: { Type: 'Pass', Next: 'Nowhere' } })), /goes to 'Nowhere'/);
  assert.throws(() => checkDefinition({ ...machine({ P: { Type: 'Pass', End: true } }), QueryLanguage: 'JSONPath' }), /QueryLanguage 'JSONPath'/);
  assert.throws(() => checkDefinition(machine({ R: { Type: 'Task', Resource: 'arn:x', Retry: [{ ErrorEquals: ['States.ALL'], JitterStrategy: 'SOME' }], End: true } })), /JitterStrategy 'SOME'/);
});

test('retry intervals are waited: IntervalSeconds x BackoffRate^n, capped by MaxDelaySeconds, FULL jitter', async () => {
  const retrier = { ErrorEquals: ['Boom'], IntervalSeconds: 2, BackoffRate: 3, MaxDelaySeconds: 10, MaxAttempts: 3 };
  assert.deepEqual([0, 1, 2].map((n) => retryDelay(retrier, n)), [2, 6, 10]);
  assert.equal(retryDelay({ ...retrier, JitterStrategy: 'FULL' }, 1, () => 0.5), 3);
  assert.equal(retryDelay({ ErrorEquals: ['x'] }, 0), 1); // defaults: 1 s, rate 2

  let calls = 0;
  const slept = [];
  const r = await run(machine({ T: { Type: 'Task', Resource: 'arn:x', Retry: [retrier], End: true } }), {}, {
    handler: () => {
      if (++calls < 4) throw new StatesError('Boom', 'try again');
      return { ok: true };
    },
    sleep: (s, info) => { slept.push([info.kind, s]); },
  });
  assert.equal(r.status, 'SUCCEEDED');
  assert.deepEqual(slept, [['retry', 2], ['retry', 6], ['retry', 10]]);
  assert.deepEqual(r.retries.map((x) => x.delaySeconds), [2, 6, 10]);
});

test('retries run out after MaxAttempts and the Catch takes the error', async () => {
  const r = await run(machine({
    T: { Type: 'Task', Resource: 'arn:x', Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1 }], Catch: [{ ErrorEquals: ['States.ALL'], Output: '{% $states.errorOutput %}', Next: 'Caught' }], End: true },
    Caught: { Type: 'Succeed' },
  }), {}, { handler: () => { throw new StatesError('Boom', 'always'); }, sleep: () => {} });
  assert.equal(r.status, 'SUCCEEDED');
  assert.deepEqual(r.output, { Error: 'Boom', Cause: 'always' });
  assert.equal(r.retries.length, 2);
});

test('a Wait waits real time, scaled by LOCAL_SFN_TIME_SCALE', async () => {
  process.env.LOCAL_SFN_TIME_SCALE = '0.01';
  try {
    const t0 = Date.now();
    const r = await run(machine({ W: { Type: 'Wait', Seconds: 30, End: true } }), { a: 1 });
    const ms = Date.now() - t0;
    assert.equal(r.status, 'SUCCEEDED');
    assert.ok(ms >= 290 && ms < 3000, `30 s x 0.01 took ${ms} ms`);
  } finally {
    delete process.env.LOCAL_SFN_TIME_SCALE;
  }
});

test('a bad LOCAL_SFN_TIME_SCALE is a clear error', async () => {
  process.env.LOCAL_SFN_TIME_SCALE = 'fast';
  try {
    await assert.rejects(run(machine({ W: { Type: 'Wait', Seconds: 1, End: true } }), {}), /LOCAL_SFN_TIME_SCALE must be a number >= 0/);
  } finally {
    delete process.env.LOCAL_SFN_TIME_SCALE;
  }
});

/** A Distributed Map state over [1..items] whose child calls one task. */
function slowMap(maxConcurrency, items) {
  return {
    Type: 'Map',
    Items: `{% [1..${items}] %}`,
    ItemSelector: { n: '{% $states.context.Map.Item.Value %}', outer: '{% $outer %}' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'Work',
      States: { Work: { Type: 'Task', Resource: 'arn:work', Arguments: { n: '{% $states.input.n %}', outer: '{% $states.input.outer %}' }, Output: '{% $states.result %}', End: true } },
    },
    MaxConcurrency: maxConcurrency,
    Label: 'Chunks',
    ToleratedFailurePercentage: 40,
    End: true,
  };
}

function concurrencyProbe(failOn = []) {
  let running = 0;
  const probe = { peak: 0, names: [] };
  probe.handler = async ({ args, context }) => {
    running++;
    probe.peak = Math.max(probe.peak, running);
    probe.names.push(context.Execution.Name);
    await new Promise((resolve) => setTimeout(resolve, 30));
    running--;
    if (failOn.includes(args.n)) throw new StatesError('Work.Failed', `item ${args.n}`);
    return { n: args.n * 10, outer: args.outer };
  };
  return probe;
}

test('a Distributed Map runs its children concurrently, at most min(MaxConcurrency, cores)', async () => {
  const def = { QueryLanguage: 'JSONata', StartAt: 'Start', TimeoutSeconds: 60, States: { Start: { Type: 'Pass', Assign: { outer: 'seen' }, Next: 'M' }, M: slowMap(10, 6) } };
  const probe = concurrencyProbe();
  const r = await run(def, {}, { handler: probe.handler, maxConcurrency: 2 });
  assert.equal(r.status, 'SUCCEEDED');
  assert.deepEqual(r.output, [1, 2, 3, 4, 5, 6].map((n) => ({ n: n * 10, outer: 'seen' })));
  assert.equal(probe.peak, 2, 'two cores: two children at once');
  assert.deepEqual(r.mapRuns, [{ state: 'M', label: 'Chunks', items: 6, concurrency: 2, maxRunning: 2 }]);
  assert.ok(probe.names.every((n) => n.startsWith('Chunks:x-1-')), probe.names.join());

  const one = concurrencyProbe();
  const def1 = { ...def, States: { ...def.States, M: slowMap(1, 4) } };
  assert.equal((await run(def1, {}, { handler: one.handler, maxConcurrency: 8 })).status, 'SUCCEEDED');
  assert.equal(one.peak, 1, 'MaxConcurrency 1 wins over the cores');
});

test('a Distributed Map child sees none of the parent variables; ToleratedFailurePercentage counts failures', async () => {
  const def = { QueryLanguage: 'JSONata', StartAt: 'Start', TimeoutSeconds: 60, States: { Start: { Type: 'Pass', Assign: { outer: 'seen' }, Next: 'M' }, M: slowMap(2, 5) } };
  const ok = await run(def, {}, { handler: concurrencyProbe([2, 4]).handler });
  assert.equal(ok.status, 'SUCCEEDED', '2 of 5 is 40 %: tolerated');
  assert.deepEqual(ok.output[1], { Error: 'Work.Failed', Cause: 'item 2' });
  const bad = await run(def, {}, { handler: concurrencyProbe([1, 2, 4]).handler });
  assert.equal(bad.status, 'FAILED');
  assert.equal(bad.error, 'States.ExceedToleratedFailureThreshold');

  const leaky = { ...def, States: { ...def.States, M: { ...def.States.M, ItemProcessor: { ...def.States.M.ItemProcessor, States: { Work: { Type: 'Pass', Output: '{% $outer %}', End: true } } } } } };
  const r = await run(leaky, {});
  assert.equal(r.status, 'FAILED', 'a child reading a parent variable must fail');
  assert.equal(r.error, 'States.ExceedToleratedFailureThreshold');
});

test('TimeoutSeconds ends the execution with States.Timeout and stops its tasks', async () => {
  process.env.LOCAL_SFN_TIME_SCALE = '0.05';
  let stopped = false;
  try {
    const r = await run({ ...machine({ T: { Type: 'Task', Resource: 'arn:slow', End: true } }), TimeoutSeconds: 2 }, {}, {
      handler: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => { stopped = true; resolve({}); })),
    });
    assert.equal(r.status, 'TIMED_OUT');
    assert.equal(r.error, 'States.Timeout');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(stopped, true);
  } finally {
    delete process.env.LOCAL_SFN_TIME_SCALE;
  }
});

test('StopExecution (the signal) aborts a waiting execution', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const r = await run(machine({ W: { Type: 'Wait', Seconds: 3600, Next: 'After' }, After: { Type: 'Succeed' } }), {}, { signal: controller.signal });
  assert.equal(r.status, 'ABORTED');
  assert.deepEqual(r.path, ['W']);
});

test('Parallel: the first failing branch fails the state and stops the others', async () => {
  const def = machine({
    P: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 5, Next: 'Never' }, Never: { Type: 'Task', Resource: 'arn:never', End: true } } },
        { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Branch.Failed', Cause: 'stop' } } },
      ],
      End: true,
    },
  });
  let called = false;
  const r = await run(def, {}, { handler: () => { called = true; return {}; }, sleep: () => new Promise((resolve) => setTimeout(resolve, 20)) });
  assert.equal(r.status, 'FAILED');
  assert.equal(r.error, 'Branch.Failed');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(called, false);
});
