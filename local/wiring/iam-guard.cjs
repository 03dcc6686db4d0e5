'use strict';
/**
 * Routes every AWS call the local executor makes for the state machine through the IAM check's
 * policy evaluator (examples/biotech-app/iam-check, @cloud-copilot/iam-simulate in strict mode),
 * with the state machine's role and the real arguments of the call, against the policies of the
 * synthesized template: not moto's partial IAM.
 *
 * A denied call fails the Task as AWS would (`<Service>.AccessDeniedException`, which the
 * definition's Catch sees); every evaluation is kept in `log` (and appended to `logFile`, JSON
 * lines, when given).
 */
const fs = require('fs');
const path = require('path');
const { StatesError } = require('../executor/asl');
const { EXAMPLE } = require('./wiring.cjs');

const { evaluate } = require(path.join(EXAMPLE, 'iam-check', 'iam-check.cjs'));

const SERVICE_ERROR = { batch: 'Batch', s3: 'S3', events: 'EventBridge', states: 'States' };

/** The IAM requests one Task call of the state machine makes: [{ action, resource, resourceId?, context }]. */
function requestsOf(w, call) {
  const tpl = w.template;
  const { region: R, account: A } = tpl;
  const args = call.args ?? {};
  const jobArn = (id) => `arn:aws:batch:${R}:${A}:job/${id ?? 'pending'}`;
  switch (call.resource) {
    case 'arn:aws:states:::batch:submitJob.sync':
      return [
        { action: 'batch:SubmitJob', resource: args.JobDefinition },
        { action: 'batch:SubmitJob', resource: args.JobQueue },
        ...(args.PropagateTags || args.Tags ? [{ action: 'batch:TagResource', resource: jobArn() }] : []),
        // .sync: Step Functions watches the job through a managed rule and DescribeJobs, and
        // terminates it when the execution stops.
        { action: 'batch:DescribeJobs', resource: '*' },
        { action: 'batch:TerminateJob', resource: jobArn() },
        ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule']
          .map((action) => ({ action, resource: `arn:aws:events:${R}:${A}:rule/StepFunctionsGetEventsForBatchJobsRule` })),
      ];
    case 'arn:aws:states:::aws-sdk:batch:listJobs':
      return [{ action: 'batch:ListJobs', resource: '*' }];
    case 'arn:aws:states:::aws-sdk:batch:describeJobs':
      return [{ action: 'batch:DescribeJobs', resource: '*' }];
    case 'arn:aws:states:::aws-sdk:batch:cancelJob':
      return [{ action: 'batch:CancelJob', resource: jobArn(args.JobId) }];
    case 'arn:aws:states:::aws-sdk:s3:getObject': {
      const bucketId = tpl.idOf(args.Bucket, 'AWS::S3::Bucket');
      const object = `arn:aws:s3:::${args.Bucket}/${args.Key}`;
      const out = [{ action: 's3:GetObject', resource: object, resourceId: bucketId }];
      if (bucketId) {
        const enc = tpl.resolve(tpl.resources[bucketId].Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]);
        const k = enc?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        const keyId = k && tpl.idOf(k, 'AWS::KMS::Key');
        if (keyId) {
          out.push({ action: 'kms:Decrypt', resource: tpl.arn(keyId), resourceId: keyId, context: {
            'kms:ViaService': `s3.${R}.amazonaws.com`, 'kms:CallerAccount': A,
            'kms:EncryptionContext:aws:s3:arn': enc.BucketKeyEnabled ? tpl.arn(bucketId) : object,
          } });
        }
      }
      return out;
    }
    case 'arn:aws:states:::events:putEvents':
      return (args.Entries ?? []).map((e) => ({
        action: 'events:PutEvents',
        resource: `arn:aws:events:${R}:${A}:event-bus/${e.EventBusName ?? 'default'}`,
        context: { 'events:source': e.Source, 'events:detail-type': e.DetailType },
      }));
    default:
      return undefined;
  }
}

class IamGuard {
  /** @param w the wiring (loadWiring); @param o.logFile optional JSON-lines file of every evaluation */
  constructor(w, { logFile } = {}) {
    this.w = w;
    this.logFile = logFile;
    this.log = [];
    const tpl = w.template;
    this.principal = w.stateMachine.roleArn;
    const roleId = tpl.idOf(this.principal, 'AWS::IAM::Role');
    if (!roleId) throw new Error(`the state machine's role ${this.principal} is not in the template`);
    this.identityPolicies = tpl.identityPolicies(roleId);
    this.mapChild = this.mapChild.bind(this);
  }

  /** Evaluates one request; returns the result and records it. */
  check(label, { action, resource, resourceId, context = {} }) {
    const tpl = this.w.template;
    const result = evaluate(tpl, {
      principal: this.principal, action, resource, context, identityPolicies: this.identityPolicies,
      resourcePolicy: resourceId ? tpl.resourcePolicy(resourceId) : undefined,
    });
    const entry = { label, principal: this.principal, action, resource, result };
    this.log.push(entry);
    if (this.logFile) fs.appendFileSync(this.logFile, JSON.stringify(entry) + '\n');
    return result;
  }

  /** Wraps a Task handler: each call is evaluated first; a denial fails the Task. */
  wrap(handler) {
    return (call) => {
      const requests = requestsOf(this.w, call);
      if (!requests) throw new Error(`the IAM guard has no mapping for ${call.resource} (state ${call.state}): add one before running it locally`);
      for (const r of requests) {
        const result = this.check(`${call.state} ${call.resource}`, r);
        if (result !== 'Allowed') {
          const service = SERVICE_ERROR[r.action.split(':')[0]] ?? r.action.split(':')[0];
          throw new StatesError(`${service}.AccessDeniedException`,
            `User: ${this.principal} is not authorized to perform: ${r.action} on resource: ${r.resource} (${result}, local IAM evaluation of the synthesized policies)`);
        }
      }
      return handler(call);
    };
  }

  /** A Distributed Map run: its child executions are started, described and stopped by the state machine. */
  mapChild({ label, childName }) {
    const sm = this.w.stateMachine.arn;
    const child = `${sm.replace(':stateMachine:', ':execution:')}/${childName}`;
    const denied = [
      ['states:StartExecution', sm], ['states:DescribeExecution', child], ['states:StopExecution', child],
    ].filter(([action, resource]) => this.check(`map run ${label}`, { action, resource, resourceId: this.w.stateMachine.logicalId }) !== 'Allowed');
    if (denied.length) {
      throw new StatesError('States.AccessDeniedException', `User: ${this.principal} is not authorized to perform: ${denied.map((d) => d[0]).join(', ')} for map run ${label}`);
    }
  }

  get denied() {
    return this.log.filter((e) => e.result !== 'Allowed');
  }
}

module.exports = { IamGuard, requestsOf };
