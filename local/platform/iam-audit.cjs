'use strict';
/**
 * Evaluates the AWS calls the API and the worker made on the local platform (recorded by
 * examples/biotech-app/iam-check/recorder into `callDir`) with the IAM check's evaluator, as the
 * workload that made each one (the api Deployment's Pod Identity role, the Batch job role).
 */
const path = require('path');
const { EXAMPLE } = require('../wiring/wiring.cjs');

const check = require(path.join(EXAMPLE, 'iam-check', 'iam-check.cjs'));

/** Returns { evaluated, denied: [{ label, action, resource, result }], problems }. */
function auditRecordedCalls(tpl, callDir) {
  const { calls } = check.readCallLogs(callDir);
  const who = check.principals(tpl);
  const seen = new Map();
  const problems = [];
  for (const call of calls) {
    const m = check.mapRecordedCall(tpl, who, call);
    problems.push(...m.problems);
    for (const r of m.requests) {
      const key = JSON.stringify([r.principal, r.action, r.resource, r.context]);
      if (!seen.has(key)) seen.set(key, r);
    }
  }
  const denied = [];
  for (const r of seen.values()) {
    const result = check.evaluate(tpl, r);
    if (result !== 'Allowed') denied.push({ label: r.label, principal: r.principal, action: r.action, resource: r.resource, result });
  }
  return { evaluated: seen.size, calls: calls.length, denied, problems: [...new Set(problems)] };
}

module.exports = { auditRecordedCalls };
