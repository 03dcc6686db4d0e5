// The IAM check: every AWS call our code makes (recorded by the API's and the worker's tests, see
// recorder/), every call of the state machine's definition and the writes AWS services make for us
// are evaluated against the policies of the synthesized template (role, key, bucket, queue, topic)
// with a real IAM policy evaluator, @cloud-copilot/iam-simulate.
//
// iam-simulate is AGPL-3.0: it is a devDependency of this example's check only, never a dependency
// of the library. It is pinned exactly because this file calls its core engine: the public
// runSimulation() drops kms:EncryptionContext:* keys (they land in ignoredContextKeys), so
// conditions on the encryption context would be evaluated as if the key were missing.
'use strict';
const fs = require('fs');
const path = require('path');

const sim = path.dirname(require.resolve('@cloud-copilot/iam-simulate'));
const { authorize } = require(path.join(sim, 'core_engine/CoreSimulatorEngine.js'));
const { AwsRequestImpl } = require(path.join(sim, 'request/request.js'));
const { RequestContextImpl } = require(path.join(sim, 'requestContext.js'));
const { DiscoveryContextKeyConstraints } = require(path.join(sim, 'context_keys/discoveryContextKeyConstraints.js'));
const { loadPolicy } = require('@cloud-copilot/iam-policy');

const PARTITION = 'aws';

/** A template with every intrinsic resolved to fake but consistent names and ARNs. */
class Template {
  constructor(template, { account, region } = {}) {
    this.t = template;
    this.resources = template.Resources;
    // The example pins each stack's region and account; the template spells them in literal ARNs
    // (the most frequent region: a few ARNs name us-east-1 services of other accounts, such as
    // the Serverless Application Repository's).
    const text = JSON.stringify(template);
    const top = (re) => {
      const counts = {};
      for (const m of text.matchAll(re)) counts[m[1]] = (counts[m[1]] ?? 0) + 1;
      return Object.entries(counts).sort((a, b) => b[1] - a[1])[0]?.[0];
    };
    this.region = region ?? top(/:([a-z]{2}-[a-z]+-\d):/g) ?? 'us-east-1';
    this.account = account ?? top(new RegExp(`:${this.region}:(\\d{12}):`, 'g')) ?? '111111111111';
  }

  byType(type) {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  name(id) {
    const r = this.resources[id];
    if (!r) throw new Error(`no resource ${id} in the template`);
    const p = r.Properties ?? {};
    const given = { 'AWS::S3::Bucket': 'BucketName', 'AWS::IAM::Role': 'RoleName', 'AWS::SQS::Queue': 'QueueName',
      'AWS::StepFunctions::StateMachine': 'StateMachineName', 'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::Events::Rule': 'Name', 'AWS::SNS::Topic': 'TopicName', 'AWS::CloudWatch::Alarm': 'AlarmName' }[r.Type];
    if (given && typeof p[given] === 'string') return p[given];
    return r.Type === 'AWS::S3::Bucket' ? id.toLowerCase() : id;
  }

  arn(id) {
    const r = this.resources[id];
    const n = this.name(id);
    const { region: R, account: A } = this;
    switch (r.Type) {
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${n}`;
      case 'AWS::IAM::Role': return `arn:aws:iam::${A}:role/${n}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${R}:${A}:key/${id}`;
      case 'AWS::SQS::Queue': return `arn:aws:sqs:${R}:${A}:${n}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${R}:${A}:${n}`;
      case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${R}:${A}:stateMachine:${n}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${R}:${A}:log-group:${n}:*`;
      case 'AWS::Events::Rule': return `arn:aws:events:${R}:${A}:rule/${n}`;
      case 'AWS::CloudWatch::Alarm': return `arn:aws:cloudwatch:${R}:${A}:alarm:${n}`;
      case 'AWS::CloudWatch::CompositeAlarm': return `arn:aws:cloudwatch:${R}:${A}:alarm:${n}`;
      case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${R}:${A}:secret:${id}-AbCdEf`;
      case 'AWS::Batch::JobDefinition': return `arn:aws:batch:${R}:${A}:job-definition/${id}:1`;
      case 'AWS::Batch::JobQueue': return `arn:aws:batch:${R}:${A}:job-queue/${id}`;
      case 'AWS::EKS::Cluster': return `arn:aws:eks:${R}:${A}:cluster/${id}`;
      default: return `arn:aws:${r.Type.split('::')[1].toLowerCase()}:${R}:${A}:${id}`;
    }
  }

  ref(id) {
    const pseudo = { 'AWS::Region': this.region, 'AWS::AccountId': this.account, 'AWS::Partition': PARTITION,
      'AWS::URLSuffix': 'amazonaws.com', 'AWS::StackName': 'stack', 'AWS::NoValue': undefined };
    if (id in pseudo) return pseudo[id];
    if (this.t.Parameters?.[id]) return this.t.Parameters[id].Default ?? id;
    const r = this.resources[id];
    if (!r) throw new Error(`Ref to unknown ${id}`);
    switch (r.Type) {
      case 'AWS::SQS::Queue': return `https://sqs.${this.region}.amazonaws.com/${this.account}/${this.name(id)}`;
      case 'AWS::SecretsManager::SecretTargetAttachment': return this.resolve(r.Properties.SecretId);
      case 'AWS::StepFunctions::StateMachine': case 'AWS::SNS::Topic': case 'AWS::Batch::JobDefinition':
      case 'AWS::Batch::JobQueue': case 'AWS::SecretsManager::Secret': return this.arn(id);
      default: return this.name(id);
    }
  }

  getAtt(id, attr) {
    const r = this.resources[id];
    if (!r) throw new Error(`Fn::GetAtt on unknown ${id}`);
    if (attr === 'Arn' || attr === 'JobQueueArn') return this.arn(id);
    const A = this.account;
    const special = {
      QueueUrl: () => this.ref(id), QueueName: () => this.name(id), Name: () => this.name(id),
      DbClusterResourceId: () => `cluster-${id}`, DBClusterResourceId: () => `cluster-${id}`, 'Endpoint.Address': () => `${id.toLowerCase()}.cluster.${this.region}.rds.amazonaws.com`,
      'Endpoint.Port': () => '5432', KeyId: () => id, TopicArn: () => this.arn(id), RoleId: () => `AROA${id}`,
      RegionalDomainName: () => `${this.name(id)}.s3.${this.region}.amazonaws.com`, DomainName: () => `${this.name(id)}.s3.amazonaws.com`,
    };
    if (special[attr]) return special[attr]();
    return `${id}.${attr}.${A}`;
  }

  resolve(v) {
    if (Array.isArray(v)) return v.map((x) => this.resolve(x));
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const a = v[k];
      if (k === 'Ref') return this.ref(a);
      if (k === 'Fn::GetAtt') return this.getAtt(...(typeof a === 'string' ? a.split(/\.(.+)/) : a));
      if (k === 'Fn::Join') return this.resolve(a[1]).join(a[0]);
      if (k === 'Fn::Select') return this.resolve(a[1])[Number(this.resolve(a[0]))];
      if (k === 'Fn::Split') return String(this.resolve(a[1])).split(a[0]);
      if (k === 'Fn::Sub') {
        const [tpl, vars] = typeof a === 'string' ? [a, {}] : a;
        return tpl.replace(/\$\{([^}!]+)\}/g, (_, name) => {
          if (vars[name] !== undefined) return this.resolve(vars[name]);
          const [id, attr] = name.split(/\.(.+)/);
          return attr ? this.getAtt(id, attr) : this.ref(id);
        });
      }
      if (k === 'Fn::If') return this.resolve(a[1]);
      if (k === 'Fn::FindInMap') return this.t.Mappings[this.resolve(a[0])][this.resolve(a[1])][this.resolve(a[2])];
      if (k.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${k}`);
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(v[k])]));
  }

  /** The logical id whose ARN (or name, or URL) is `value`. */
  idOf(value, type) {
    for (const [id, r] of Object.entries(this.resources)) {
      if (type && r.Type !== type) continue;
      try {
        if (this.arn(id) === value || this.name(id) === value || this.ref(id) === value) return id;
      } catch { /* not nameable */ }
    }
    return undefined;
  }

  /** The identity policies of role `roleId`: inline, AWS::IAM::Policy and template-managed policies. */
  identityPolicies(roleId) {
    const out = [];
    const role = this.resources[roleId];
    for (const p of role.Properties.Policies ?? []) out.push({ name: `${roleId}/${p.PolicyName}`, policy: this.resolve(p.PolicyDocument) });
    for (const [id, r] of this.byType('AWS::IAM::Policy')) {
      if ((r.Properties.Roles ?? []).some((x) => x.Ref === roleId)) out.push({ name: id, policy: this.resolve(r.Properties.PolicyDocument) });
    }
    for (const [id, r] of this.byType('AWS::IAM::ManagedPolicy')) {
      if ((r.Properties.Roles ?? []).some((x) => x.Ref === roleId)) out.push({ name: id, policy: this.resolve(r.Properties.PolicyDocument) });
    }
    for (const m of role.Properties.ManagedPolicyArns ?? []) {
      const id = m.Ref;
      if (id && this.resources[id]) out.push({ name: id, policy: this.resolve(this.resources[id].Properties.PolicyDocument) });
    }
    return out;
  }

  /** The resource policy of the resource with logical id `id`, if any. */
  resourcePolicy(id) {
    const r = this.resources[id];
    if (r.Type === 'AWS::KMS::Key') return this.resolve(r.Properties.KeyPolicy);
    const holders = {
      'AWS::S3::Bucket': ['AWS::S3::BucketPolicy', (p) => [p.Bucket]],
      'AWS::SQS::Queue': ['AWS::SQS::QueuePolicy', (p) => p.Queues],
      'AWS::SNS::Topic': ['AWS::SNS::TopicPolicy', (p) => p.Topics],
      'AWS::SecretsManager::Secret': ['AWS::SecretsManager::ResourcePolicy', (p) => [p.SecretId]],
    }[r.Type];
    if (!holders) return undefined;
    const statements = [];
    for (const [, pr] of this.byType(holders[0])) {
      const targets = this.resolve(holders[1](pr.Properties));
      if (targets.includes(this.ref(id))) statements.push(...this.resolve(pr.Properties.PolicyDocument ?? pr.Properties.ResourcePolicy).Statement);
    }
    return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** Kubernetes objects of the cluster's manifests, with tokens resolved. */
  manifests() {
    const out = [];
    for (const [, r] of this.byType('Custom::AWSCDK-EKS-KubernetesResource')) {
      out.push(...JSON.parse(this.resolve(r.Properties.Manifest)));
    }
    return out;
  }
}

/** Runs one request through the evaluator; returns 'Allowed', 'ExplicitlyDenied' or 'ImplicitlyDenied'. */
function evaluate(tpl, { principal, action, resource, context = {}, identityPolicies = [], resourcePolicy }) {
  const ctx = { 'aws:SecureTransport': 'true', 'aws:PrincipalAccount': tpl.account, ...context };
  if (principal.startsWith('arn:')) ctx['aws:PrincipalArn'] = principal;
  // Policy statements written with CDK's "Resource: *" on keys and buckets apply to this account's resources.
  const result = authorize({
    request: new AwsRequestImpl(principal, { resource, accountId: tpl.account }, action, new RequestContextImpl(ctx)),
    sessionPolicy: undefined,
    permissionBoundaries: undefined,
    vpcEndpointPolicies: undefined,
    identityPolicies: identityPolicies.map((p) => loadPolicy(p.policy, { name: p.name })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: resourcePolicy ? loadPolicy(resourcePolicy, { name: 'resource' }) : undefined,
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} },
  });
  return result.result;
}

/** Reads the recorded calls (`*.jsonl`) and the static call-site lists (`sites-*.json`) of `dir`. */
function readCallLogs(dir) {
  if (!fs.existsSync(dir)) {
    throw new Error(`no call logs in ${dir}: run the worker's and the API's tests with AWS_CALL_LOG_DIR=${dir} first`);
  }
  const calls = [];
  const sites = [];
  for (const f of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, f);
    if (f.endsWith('.jsonl')) {
      for (const line of fs.readFileSync(full, 'utf8').split('\n')) if (line.trim()) calls.push(JSON.parse(line));
    } else if (f.startsWith('sites-') && f.endsWith('.json')) {
      sites.push(...JSON.parse(fs.readFileSync(full, 'utf8')).sites);
    }
  }
  return { calls, sites };
}

/** Who runs our Python code: the pod's service account (Pod Identity) or the Batch job role. */
function principals(tpl) {
  const objects = tpl.manifests();
  const saRole = {};
  for (const [, r] of tpl.byType('AWS::EKS::PodIdentityAssociation')) {
    const p = tpl.resolve(r.Properties);
    saRole[`${p.Namespace}/${p.ServiceAccount}`] = p.RoleArn;
  }
  const workloads = {};
  for (const o of objects) {
    const spec = o.kind === 'Deployment' || o.kind === 'Job' ? o.spec.template.spec : undefined;
    if (!spec) continue;
    const c = spec.containers[0];
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    const role = saRole[`${o.metadata.namespace}/${spec.serviceAccountName}`];
    workloads[`${o.kind}/${o.metadata.name}`] = { role, env, command: [...(c.command ?? []), ...(c.args ?? [])].join(' ') };
  }
  const api = workloads['Deployment/api'];
  if (!api) throw new Error('no Deployment "api" in the cluster manifests');
  const bootstrap = Object.values(workloads).find((w) => w.command.includes('biotech_api.bootstrap'));
  const [[jobDefId, jobDef]] = tpl.byType('AWS::Batch::JobDefinition');
  const worker = { role: tpl.resolve(jobDef.Properties.ContainerProperties.JobRoleArn), env: {}, jobDefId };
  return { api, bootstrap, worker };
}

const roleIdOf = (tpl, arn) => {
  const id = tpl.idOf(arn, 'AWS::IAM::Role');
  if (!id) throw new Error(`role ${arn} is not in the template`);
  return id;
};

/**
 * Turns a recorded call (the tests' own names) into requests against the template's resources.
 * Returns { requests, problems }.
 */
function mapRecordedCall(tpl, who, call) {
  const problems = [];
  // The entry point names the process: the bootstrap Job runs biotech_api.bootstrap (which also
  // reaches db.py), the API runs the rest of biotech_api, Batch runs proteomics_worker.
  const w = call.entry === 'biotech_api/bootstrap.py' ? who.bootstrap : call.principalHint === 'biotech_api' ? who.api : who.worker;
  if (!w?.role) return { requests: [], problems: [`${call.site}: no role runs ${call.principalHint}`] };
  if (!call.iamAction) return { requests: [], problems: [`${call.site}: ${call.service}.${call.operation} has no IAM mapping in the recorder`] };
  const buckets = {};
  for (const [id] of tpl.byType('AWS::S3::Bucket')) {
    if (/Uploads[0-9A-F]{8}$/.test(id)) buckets.uploads = id;
    if (/Results[0-9A-F]{8}$/.test(id)) buckets.results = id;
  }
  const [[smId, sm]] = tpl.byType('AWS::StepFunctions::StateMachine');
  const smArn = tpl.arn(smId);
  let resource = call.resourceArn;
  let resourceId;
  let keyId;
  let bucketKey = false;
  const context = { ...call.context };
  if (call.service === 's3') {
    const m = resource.match(/^arn:aws:s3:::([^/]+)(\/.*)?$/);
    const role = /uploads/.test(m[1]) ? 'uploads' : /results/.test(m[1]) ? 'results' : undefined;
    if (!role) return { requests: [], problems: [`${call.site}: bucket ${m[1]} of the tests matches neither the uploads nor the results bucket`] };
    resourceId = buckets[role];
    resource = `${tpl.arn(resourceId)}${m[2] ?? ''}`;
    const enc = tpl.resolve(tpl.resources[resourceId].Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]);
    const kmsArn = enc?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
    if (kmsArn) keyId = tpl.idOf(kmsArn, 'AWS::KMS::Key');
    bucketKey = !!enc?.BucketKeyEnabled;
  } else if (call.service === 'states') {
    resourceId = smId;
    resource = call.iamAction === 'states:StartExecution' ? smArn
      : `${smArn.replace(':stateMachine:', ':execution:')}:${resource.split(':').pop()}`;
    keyId = tpl.idOf(tpl.resolve(sm.Properties.EncryptionConfiguration?.KmsKeyId), 'AWS::KMS::Key');
  } else if (call.service === 'sqs') {
    const url = w.env.COMPLETION_QUEUE_URL;
    resourceId = url && tpl.idOf(url, 'AWS::SQS::Queue');
    if (!resourceId) return { requests: [], problems: [`${call.site}: ${call.iamAction} but the API's Deployment sets no COMPLETION_QUEUE_URL naming a queue of the template`] };
    resource = tpl.arn(resourceId);
    const k = tpl.resources[resourceId].Properties.KmsMasterKeyId;
    if (k) keyId = tpl.idOf(tpl.resolve(k), 'AWS::KMS::Key');
  } else if (call.service === 'rds') {
    const [[dbId]] = tpl.byType('AWS::RDS::DBCluster');
    if (w.env.DB_IAM_AUTH !== 'true') problems.push(`${call.site}: IAM DB auth used, but the workload does not set DB_IAM_AUTH=true`);
    resource = `arn:aws:rds-db:${tpl.region}:${tpl.account}:dbuser:${tpl.getAtt(dbId, 'DBClusterResourceId')}/${w.env.DB_USER}`;
  } else if (call.service === 'secretsmanager') {
    const arn = w.env.DB_SECRET_ARN;
    resourceId = arn && tpl.idOf(arn, 'AWS::SecretsManager::Secret');
    if (!resourceId) return { requests: [], problems: [`${call.site}: reads a secret, but its workload sets no DB_SECRET_ARN of the template`] };
    resource = arn;
    const k = tpl.resources[resourceId].Properties.KmsKeyId;
    if (k) keyId = tpl.idOf(tpl.resolve(k), 'AWS::KMS::Key');
  }
  const principal = w.role;
  const roleId = roleIdOf(tpl, principal);
  const identityPolicies = tpl.identityPolicies(roleId);
  const label = `${call.site} ${call.operation}${call.presigned ? ' (presigned)' : ''}`;
  const requests = [{ label, principal, action: call.iamAction, resource, context, identityPolicies,
    resourcePolicy: resourceId ? tpl.resourcePolicy(resourceId) : undefined }];
  for (const k of call.kms ?? []) {
    if (!keyId) continue; // SSE-S3 or AWS-managed key: no customer policy to check
    const ec = {};
    for (const [name, value] of Object.entries(k.encryptionContext)) {
      let v = value;
      if (name === 'aws:s3:arn') v = bucketKey ? tpl.arn(resourceId) : resource;
      if (name === 'aws:states:stateMachineArn') v = smArn;
      if (name === 'aws:sqs:arn') v = resource;
      if (name === 'SecretARN') v = resource;
      ec[`kms:EncryptionContext:${name}`] = v;
    }
    requests.push({ label: `${label} → ${k.action}`, principal, action: k.action, resource: tpl.arn(keyId),
      context: { ...context, ...ec, 'kms:ViaService': `${k.via}.${tpl.region}.amazonaws.com`, 'kms:CallerAccount': tpl.account },
      identityPolicies, resourcePolicy: tpl.resourcePolicy(keyId) });
  }
  return { requests, problems };
}

/** Sample values of the JSONata expressions in the definition's Arguments (the key layout of contracts/README). */
const SAMPLE = { summaryKey: 'analyses/a-0001/summary.json' };

/** The calls of the state machine's definition, made with its RoleArn. Returns { requests, problems, resources }. */
function stateMachineCalls(tpl) {
  const [[smId, sm]] = tpl.byType('AWS::StepFunctions::StateMachine');
  const def = JSON.parse(tpl.resolve(sm.Properties.DefinitionString));
  const principal = tpl.resolve(sm.Properties.RoleArn);
  const identityPolicies = tpl.identityPolicies(roleIdOf(tpl, principal));
  const smArn = tpl.arn(smId);
  const keyId = tpl.idOf(tpl.resolve(sm.Properties.EncryptionConfiguration?.KmsKeyId), 'AWS::KMS::Key');
  const requests = [];
  const problems = [];
  const resources = new Set();
  const { region: R, account: A } = tpl;
  const req = (label, action, resource, resourceId, context = {}) => requests.push({ label, principal, action, resource, context,
    identityPolicies, resourcePolicy: resourceId ? tpl.resourcePolicy(resourceId) : undefined });
  const value = (expr) => {
    if (typeof expr !== 'string' || !expr.startsWith('{%')) return expr;
    const m = expr.match(/^\{%\s*\$(\w+)\s*%\}$/);
    if (m && SAMPLE[m[1]]) return SAMPLE[m[1]];
    if (m && m[1] === 'queueArn') return undefined;
    throw new Error(`no sample value for the definition's expression ${expr}: add one to SAMPLE`);
  };
  const kms = (label) => {
    if (!keyId) return;
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      req(`${label} → ${action}`, action, tpl.arn(keyId), keyId, { 'kms:ViaService': `states.${R}.amazonaws.com`,
        'kms:EncryptionContext:aws:states:stateMachineArn': smArn, 'kms:CallerAccount': A });
    }
  };
  const walk = (states, where) => {
    for (const [name, st] of Object.entries(states)) {
      const proc = st.ItemProcessor ?? st.Iterator;
      if (proc) {
        walk(proc.States, `${where}/${name}`);
        if (proc.ProcessorConfig?.Mode === 'DISTRIBUTED') {
          const label = `definition ${where}/${name} (Distributed Map)`;
          resources.add('distributed-map');
          req(label, 'states:StartExecution', smArn, smId);
          // Child executions are named execution:<stateMachine>/<map run label>:<id>.
          const child = `${smArn.replace(':stateMachine:', ':execution:')}/${st.Label ?? name}:0f0e0d0c`;
          req(label, 'states:DescribeExecution', child, smId);
          req(label, 'states:StopExecution', child, smId);
          kms(label);
        }
      }
      for (const b of st.Branches ?? []) walk(b.States, `${where}/${name}`);
      if (st.Type !== 'Task') continue;
      const label = `definition ${where}/${name} ${st.Resource}`;
      const args = st.Arguments ?? st.Parameters ?? {};
      resources.add(st.Resource);
      if (st.Resource.startsWith('arn:aws:states:::batch:submitJob')) {
        const jd = tpl.idOf(args.JobDefinition, 'AWS::Batch::JobDefinition');
        if (!jd) problems.push(`${label}: JobDefinition ${args.JobDefinition} is not in the template`);
        else req(label, 'batch:SubmitJob', tpl.arn(jd));
        for (const [qid] of tpl.byType('AWS::Batch::JobQueue')) req(label, 'batch:SubmitJob', tpl.arn(qid));
        if (st.Resource.endsWith('.sync')) {
          req(label, 'batch:DescribeJobs', '*');
          req(label, 'batch:TerminateJob', `arn:aws:batch:${R}:${A}:job/x`);
          for (const a of ['events:PutTargets', 'events:PutRule', 'events:DescribeRule']) {
            req(label, a, `arn:aws:events:${R}:${A}:rule/StepFunctionsGetEventsForBatchJobsRule`);
          }
        }
        if (args.PropagateTags || args.Tags) req(label, 'batch:TagResource', `arn:aws:batch:${R}:${A}:job/x`);
      } else if (st.Resource === 'arn:aws:states:::events:putEvents') {
        for (const e of args.Entries) {
          req(label, 'events:PutEvents', `arn:aws:events:${R}:${A}:event-bus/${e.EventBusName ?? 'default'}`, undefined,
            { 'events:source': e.Source, 'events:detail-type': e.DetailType });
        }
      } else if (st.Resource === 'arn:aws:states:::aws-sdk:s3:getObject') {
        const bucket = tpl.idOf(value(args.Bucket), 'AWS::S3::Bucket');
        const object = `${tpl.arn(bucket)}/${value(args.Key)}`;
        req(label, 's3:GetObject', object, bucket);
        const enc = tpl.resolve(tpl.resources[bucket].Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]);
        const k = enc?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
        if (k) {
          const kid = tpl.idOf(k, 'AWS::KMS::Key');
          req(`${label} → kms:Decrypt`, 'kms:Decrypt', tpl.arn(kid), kid, { 'kms:ViaService': `s3.${R}.amazonaws.com`,
            'kms:EncryptionContext:aws:s3:arn': enc.BucketKeyEnabled ? tpl.arn(bucket) : object, 'kms:CallerAccount': A });
        }
      } else if (/^arn:aws:states:::aws-sdk:(batch):(listJobs|describeJobs)$/.test(st.Resource)) {
        // Batch's List/Describe actions have no resource-level permissions.
        const [, service, api] = st.Resource.match(/aws-sdk:([a-z0-9]+):(\w+)$/);
        req(label, `${service}:${api[0].toUpperCase()}${api.slice(1)}`, '*');
      } else if (st.Resource === 'arn:aws:states:::aws-sdk:batch:cancelJob') {
        // The Spot wait watch cancels a job of this analysis that never got capacity: a job ARN.
        req(label, 'batch:CancelJob', `arn:aws:batch:${R}:${A}:job/x`);
      } else {
        problems.push(`${label}: no IAM mapping for this Resource in the check`);
      }
    }
  };
  walk(def.States, '');
  kms('state machine data (CMK)');
  return { requests, problems, resources: [...resources] };
}

/** Writes AWS services make for us: EventBridge → SQS/SNS (+ KMS), Logs → KMS, alarms → SNS (+ KMS). */
function serviceCalls(tpl) {
  const { region: R, account: A } = tpl;
  const requests = [];
  const svc = (label, service, action, resource, resourceId, context) => requests.push({ label, principal: service, action,
    resource, context: { 'aws:SourceAccount': A, ...context }, identityPolicies: [], resourcePolicy: tpl.resourcePolicy(resourceId) });
  const keyOf = (id, prop) => {
    const k = tpl.resources[id].Properties?.[prop];
    return k ? tpl.idOf(tpl.resolve(k), 'AWS::KMS::Key') : undefined;
  };
  for (const [ruleId, rule] of tpl.byType('AWS::Events::Rule')) {
    for (const target of tpl.resolve(rule.Properties.Targets ?? [])) {
      const ruleArn = tpl.arn(ruleId);
      const label = `EventBridge rule ${ruleId} → ${target.Arn}`;
      const ctx = { 'aws:SourceArn': ruleArn };
      const qid = tpl.idOf(target.Arn, 'AWS::SQS::Queue');
      const tid = tpl.idOf(target.Arn, 'AWS::SNS::Topic');
      if (qid) svc(label, 'events.amazonaws.com', 'sqs:SendMessage', target.Arn, qid, ctx);
      if (tid) svc(label, 'events.amazonaws.com', 'sns:Publish', target.Arn, tid, ctx);
      const key = qid ? keyOf(qid, 'KmsMasterKeyId') : tid ? keyOf(tid, 'KmsMasterKeyId') : undefined;
      if (key) {
        // SQS (or SNS) calls KMS for EventBridge with its own encryption context. AWS does not
        // document aws:SourceArn/aws:SourceAccount as present on these calls, so the check leaves
        // them out: a key policy that relies on them is reported, not trusted.
        const via = qid ? 'sqs' : 'sns';
        const kctx = { 'kms:ViaService': `${via}.${R}.amazonaws.com`, [`kms:EncryptionContext:aws:${via}:arn`]: target.Arn };
        for (const a of ['kms:GenerateDataKey', 'kms:Decrypt']) {
          requests.push({ label: `${label} → ${a}`, principal: 'events.amazonaws.com', action: a, resource: tpl.arn(key), context: kctx,
            identityPolicies: [], resourcePolicy: tpl.resourcePolicy(key) });
        }
      }
    }
  }
  for (const [lgId, lg] of tpl.byType('AWS::Logs::LogGroup')) {
    const key = keyOf(lgId, 'KmsKeyId');
    if (!key) continue;
    const lgArn = tpl.arn(lgId).replace(/:\*$/, '');
    for (const a of ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey']) {
      svc(`CloudWatch Logs ${lgId} → ${a}`, `logs.${R}.amazonaws.com`, a, tpl.arn(key), key, { 'kms:EncryptionContext:aws:logs:arn': lgArn });
    }
  }
  for (const type of ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm']) {
    for (const [alarmId, alarm] of tpl.byType(type)) {
      const actions = tpl.resolve([...(alarm.Properties.AlarmActions ?? []), ...(alarm.Properties.OKActions ?? [])]);
      for (const arn of new Set(actions)) {
        const tid = tpl.idOf(arn, 'AWS::SNS::Topic');
        if (!tid) continue;
        const ctx = { 'aws:SourceArn': tpl.arn(alarmId) };
        const label = `alarm ${alarmId} → ${tid}`;
        svc(label, 'cloudwatch.amazonaws.com', 'sns:Publish', arn, tid, ctx);
        const key = keyOf(tid, 'KmsMasterKeyId');
        if (key) for (const a of ['kms:GenerateDataKey', 'kms:Decrypt']) svc(`${label} → ${a}`, 'cloudwatch.amazonaws.com', a, tpl.arn(key), key, ctx);
      }
    }
  }
  return requests;
}

/** Static call sites that no recorded call came from. */
function uncovered(sites, calls) {
  return sites.filter((s) => !calls.some((c) => {
    const [file, line] = c.site.split(':');
    return file === s.file && Number(line) >= s.firstLine && Number(line) <= s.lastLine;
  }));
}

/**
 * The whole check. `notDeployed` lists call sites whose code path the synthesized workloads never
 * take, each with a predicate on the principals that proves it. Returns { results, denied, problems }.
 */
function runCheck({ template, logDir, notDeployed = [] }) {
  const tpl = template instanceof Template ? template : new Template(template);
  const { calls, sites } = readCallLogs(logDir);
  const who = principals(tpl);
  const problems = [];
  if (!sites.length) problems.push(`no static call-site list (sites-*.json) in ${logDir}`);
  const skipped = new Set();
  for (const nd of notDeployed) {
    const why = nd.provenBy(who);
    if (why) problems.push(`${nd.file}: listed as not deployed, but ${why}`);
    skipped.add(nd.file + ':' + nd.method);
  }
  const requests = [];
  for (const call of calls) {
    const file = call.site.split(':')[0];
    const method = sites.find((s) => s.file === file && Number(call.site.split(':')[1]) >= s.firstLine && Number(call.site.split(':')[1]) <= s.lastLine)?.method;
    if (skipped.has(`${file}:${method}`)) continue;
    const m = mapRecordedCall(tpl, who, call);
    requests.push(...m.requests);
    problems.push(...m.problems);
  }
  for (const s of uncovered(sites, calls)) {
    if (!skipped.has(`${s.file}:${s.method}`)) problems.push(`${s.file}:${s.line} ${s.method}: never exercised by the tests (no recorded call)`);
  }
  const smc = stateMachineCalls(tpl);
  requests.push(...smc.requests);
  problems.push(...smc.problems);
  requests.push(...serviceCalls(tpl));
  // One evaluation per distinct request; `labels` keeps every call that made it.
  const seen = new Map();
  for (const r of requests) {
    const key = JSON.stringify([r.principal, r.action, r.resource, r.context, r.identityPolicies.map((p) => p.name)]);
    if (seen.has(key)) seen.get(key).labels.push(r.label);
    else seen.set(key, { ...r, labels: [r.label] });
  }
  const results = [...seen.values()].map((r) => ({ ...r, result: evaluate(tpl, r) }));
  const denied = results.filter((r) => r.result !== 'Allowed');
  return { results, denied, problems, calls, sites, stateMachineResources: smc.resources };
}

module.exports = { Template, evaluate, readCallLogs, principals, mapRecordedCall, stateMachineCalls, serviceCalls, uncovered, runCheck };
