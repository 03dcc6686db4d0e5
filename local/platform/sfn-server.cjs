'use strict';
/**
 * A small Step Functions endpoint (AWS JSON 1.0 protocol: StartExecution, DescribeExecution,
 * StopExecution) in front of the local executor, for the API's own boto3 client
 * (`AWS_ENDPOINT_URL_SFN`). Only the synthesized state machine exists; executions run its real
 * definition, with every Task call evaluated by the IAM guard first.
 */
const http = require('http');
const { runExecution } = require('../executor/asl');

const PREFIX = 'AWSStepFunctions.';

class LocalStepFunctions {
  /**
   * @param o.wiring the loaded wiring; @param o.handler the Task handler (already IAM-guarded);
   * @param o.onMapChild the guard's map-child check; @param o.log(line)
   */
  constructor({ wiring, definition, handler, onMapChild, log = () => {} }) {
    this.sm = wiring.stateMachine;
    this.definition = definition ?? wiring.stateMachine.definition;
    this.handler = handler;
    this.onMapChild = onMapChild;
    this.log = log;
    this.executions = new Map();
    this.calls = [];
  }

  executionArn(name) {
    return `${this.sm.arn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  start({ stateMachineArn, name, input }) {
    if (stateMachineArn !== this.sm.arn) return [400, { __type: 'StateMachineDoesNotExist', message: `State Machine Does Not Exist: '${stateMachineArn}'` }];
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) return [400, { __type: 'InvalidName', message: `Invalid Name: '${name}'` }];
    let parsed;
    try {
      parsed = input === undefined ? {} : JSON.parse(input);
    } catch {
      return [400, { __type: 'InvalidExecutionInput', message: 'Invalid State Machine Execution Input: not JSON' }];
    }
    const arn = this.executionArn(name);
    const existing = this.executions.get(arn);
    if (existing) {
      // Same name and input: idempotent; otherwise ExecutionAlreadyExists.
      if (existing.input === input) return [200, { executionArn: arn, startDate: existing.startDate / 1000 }];
      return [400, { __type: 'ExecutionAlreadyExists', message: `Execution Already Exists: '${arn}'` }];
    }
    const controller = new AbortController();
    const execution = { arn, name, input, status: 'RUNNING', startDate: Date.now(), controller };
    this.executions.set(arn, execution);
    this.log(`execution ${name} started`);
    execution.done = runExecution(this.definition, parsed, {
      executionName: name, stateMachineArn: this.sm.arn, handler: this.handler, onMapChild: this.onMapChild, signal: controller.signal,
    }).then((r) => {
      Object.assign(execution, { status: r.status, output: r.output, error: r.error, cause: r.cause, stopDate: Date.now(), result: r });
      this.log(`execution ${name} ${r.status}${r.error ? ` ${r.error}: ${String(r.cause).slice(0, 300)}` : ''}`);
    }, (e) => {
      // An executor refusal or bug: the execution fails loudly rather than hanging.
      Object.assign(execution, { status: 'FAILED', error: 'States.Runtime', cause: String(e?.message ?? e), stopDate: Date.now() });
      this.log(`execution ${name} FAILED in the local executor: ${e?.stack ?? e}`);
    });
    return [200, { executionArn: arn, startDate: execution.startDate / 1000 }];
  }

  describe({ executionArn, includedData }) {
    const e = this.executions.get(executionArn);
    if (!e) return [400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${executionArn}'` }];
    const data = includedData !== 'METADATA_ONLY';
    return [200, {
      executionArn: e.arn,
      stateMachineArn: this.sm.arn,
      name: e.name,
      status: e.status === 'TIMED_OUT' ? 'TIMED_OUT' : e.status,
      startDate: e.startDate / 1000,
      ...(e.stopDate ? { stopDate: e.stopDate / 1000 } : {}),
      ...(data ? { input: e.input } : {}),
      ...(data && e.output !== undefined ? { output: JSON.stringify(e.output) } : {}),
      ...(e.error ? { error: e.error } : {}),
      ...(data && e.cause ? { cause: e.cause } : {}),
    }];
  }

  stop({ executionArn, error, cause }) {
    const e = this.executions.get(executionArn);
    if (!e) return [400, { __type: 'ExecutionDoesNotExist', message: `Execution Does Not Exist: '${executionArn}'` }];
    if (e.status === 'RUNNING') {
      e.controller.abort();
      Object.assign(e, { status: 'ABORTED', error, cause, stopDate: Date.now() });
    }
    return [200, { stopDate: (e.stopDate ?? Date.now()) / 1000 }];
  }

  /** Handles one AWS JSON 1.0 request. */
  dispatch(target, body) {
    const op = target?.startsWith(PREFIX) ? target.slice(PREFIX.length) : undefined;
    this.calls.push({ operation: op, at: Date.now() });
    switch (op) {
      case 'StartExecution': return this.start(body);
      case 'DescribeExecution': return this.describe(body);
      case 'StopExecution': return this.stop(body);
      default: return [400, { __type: 'UnknownOperationException', message: `the local Step Functions endpoint does not implement ${target}` }];
    }
  }

  listen(port, host = '127.0.0.1') {
    const server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => { raw += d; });
      req.on('end', () => {
        let status;
        let out;
        try {
          [status, out] = this.dispatch(req.headers['x-amz-target'], raw ? JSON.parse(raw) : {});
        } catch (e) {
          [status, out] = [500, { __type: 'InternalFailure', message: String(e?.message ?? e) }];
        }
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(out));
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  /** Waits for every execution to end (for shutdown and tests). */
  async settle() {
    await Promise.all([...this.executions.values()].map((e) => e.done));
  }
}

module.exports = { LocalStepFunctions };
