'use strict';
/**
 * The local platform's wiring, read from the example's synthesized templates (cdk.out of
 * examples/biotech-app, after `npx projen synth` there): there is no second, hand-written
 * description of the platform beside them.
 *
 * Every intrinsic is resolved by the IAM check's `Template` (examples/biotech-app/iam-check), so
 * the names used locally (bucket names, queue URL, state machine ARN) are the ones the IAM check
 * evaluates, and the API's environment names exactly the resources the launcher creates.
 *
 * What it reads:
 * - buckets by logical id, with their CORS rules and lifecycle;
 * - the API's and the web app's environment, port and user (the cluster manifests' Deployments);
 * - the completion-event rules whose pattern matches the state machine's events, and their SQS targets;
 * - the state machine definition (DefinitionString with its substitutions resolved) and role;
 * - the Batch job definition's environment, volumes, mount points, read-only root, user, retry
 *   strategy and timeout, the job queues, and the image's ENTRYPOINT/USER/VOLUME/WORKDIR from the
 *   Dockerfile of its staged asset;
 * - CloudFront's response-headers policy and the WAF's body-size and rate rules.
 *
 * Anything the local platform needs and does not find is an error that names what is missing
 * and where it was looked for.
 */
const fs = require('fs');
const path = require('path');

const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'biotech-app');
const { Template } = require(path.join(EXAMPLE, 'iam-check', 'iam-check.cjs'));

const COMPLETION_SOURCE = 'cdk-proteomics-platform';
const COMPLETION_DETAIL_TYPE = 'Analysis Completed';
/**
 * The API variables the local launcher gives local values (database, identity provider) or whose
 * template value it follows (buckets, state machine, queue). A template that no longer sets one
 * of them fails here, by name.
 */
const API_ENV_REQUIRED = ['UPLOADS_BUCKET', 'RESULTS_BUCKET', 'STATE_MACHINE_ARN', 'COMPLETION_QUEUE_URL',
  'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'OIDC_ISSUER', 'OIDC_AUDIENCE', 'AWS_REGION'];
const WEB_ENV_REQUIRED = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_REDIRECT_URI'];

class WiringError extends Error {}

function fail(problems) {
  throw new WiringError(`the synthesized template cannot be run locally:\n- ${problems.join('\n- ')}`);
}

/** The stacks of `stage` in a cloud assembly: { main, edge } (file names and parsed templates). */
function readAssembly(cdkOut, stage) {
  const manifestFile = path.join(cdkOut, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new WiringError(`no cloud assembly at ${cdkOut}: run \`npx projen synth\` in examples/biotech-app first`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const pick = (re) => stacks.find(([id]) => re.test(id));
  const main = pick(new RegExp(`-${stage}$`));
  const edge = pick(new RegExp(`-${stage}-edge$`));
  if (!main) throw new WiringError(`no stack ending in -${stage} in ${manifestFile} (found: ${stacks.map(([id]) => id).join(', ')})`);
  const load = (a) => a && JSON.parse(fs.readFileSync(path.join(cdkOut, a[1].properties.templateFile), 'utf8'));
  return { main: load(main), edge: load(edge), mainName: main[0], edgeName: edge?.[0] };
}

/** The final stage of a Dockerfile: USER, ENTRYPOINT, CMD, WORKDIR and VOLUME. */
function dockerfileRuntime(text) {
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  let last = -1;
  lines.forEach((l, i) => { if (/^FROM\s/i.test(l.trim())) last = i; });
  const out = { volumes: [] };
  for (const l of lines.slice(last + 1)) {
    const m = /^(USER|ENTRYPOINT|CMD|WORKDIR|VOLUME)\s+(.*)$/i.exec(l.trim());
    if (!m) continue;
    const value = m[2].trim();
    const list = value.startsWith('[') ? JSON.parse(value) : value.split(/\s+/);
    const key = m[1].toUpperCase();
    if (key === 'USER') {
      const [uid, gid] = value.split(':');
      out.user = { uid: Number(uid), gid: gid === undefined ? undefined : Number(gid) };
    } else if (key === 'VOLUME') out.volumes.push(...list);
    else if (key === 'WORKDIR') out.workdir = value;
    else out[key.toLowerCase()] = list;
  }
  return out;
}

/** Image asset directory of an ECR image URI of the assembly (`...:<asset hash>`). */
function assetDir(cdkOut, image) {
  const hash = String(image).split(':').pop();
  const dir = path.join(cdkOut, `asset.${hash}`);
  return fs.existsSync(path.join(dir, 'Dockerfile')) ? dir : undefined;
}

/** Does an EventBridge pattern (resolved) match a completion event of `stateMachineArn`? */
function patternMatches(pattern, stateMachineArn) {
  const field = (values, v) => values === undefined || (Array.isArray(values) && values.includes(v));
  return field(pattern.source, COMPLETION_SOURCE) && field(pattern['detail-type'], COMPLETION_DETAIL_TYPE)
    && (pattern.resources === undefined || pattern.resources.includes(stateMachineArn))
    && Object.keys(pattern).every((k) => ['source', 'detail-type', 'resources', 'detail'].includes(k));
}

function envOf(container) {
  return Object.fromEntries((container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, String(e.value)]));
}

/**
 * Reads the wiring of `stage` from `cdkOut` (or from given templates: `{ main, edge }`).
 * Throws a WiringError listing every problem.
 */
function loadWiring({ cdkOut = path.join(EXAMPLE, 'cdk.out'), stage = 'hml', templates } = {}) {
  const assembly = templates ?? readAssembly(cdkOut, stage);
  const tpl = new Template(assembly.main);
  const problems = [];
  const one = (type) => {
    const found = tpl.byType(type);
    if (found.length !== 1) problems.push(`expected one ${type}, found ${found.length}`);
    return found[0] ?? [];
  };

  // Deployments of the cluster manifests.
  const deployments = {};
  for (const o of tpl.manifests()) {
    if (o.kind !== 'Deployment') continue;
    const spec = o.spec.template.spec;
    const c = spec.containers[0];
    deployments[o.metadata.name] = {
      namespace: o.metadata.namespace,
      env: envOf(c),
      port: c.ports?.[0]?.containerPort,
      user: c.securityContext?.runAsUser ?? spec.securityContext?.runAsUser,
      readOnlyRootFilesystem: c.securityContext?.readOnlyRootFilesystem === true,
      image: c.image,
    };
  }
  const api = deployments.api;
  const web = deployments.web;
  if (!api) problems.push('no Deployment "api" in the cluster manifests');
  if (!web) problems.push('no Deployment "web" in the cluster manifests');
  for (const name of API_ENV_REQUIRED) {
    if (api && api.env[name] === undefined) problems.push(`the api Deployment sets no ${name} (the local launcher maps it)`);
  }
  for (const name of WEB_ENV_REQUIRED) {
    if (web && web.env[name] === undefined) problems.push(`the web Deployment sets no ${name} (the local launcher maps it)`);
  }

  // Buckets: every bucket of the template, by logical id; uploads/results are the ones the API names.
  const buckets = {};
  for (const [id, r] of tpl.byType('AWS::S3::Bucket')) {
    const p = tpl.resolve(r.Properties ?? {});
    buckets[id] = {
      logicalId: id,
      name: tpl.name(id),
      cors: p.CorsConfiguration?.CorsRules ?? [],
      lifecycle: p.LifecycleConfiguration?.Rules ?? [],
      versioned: p.VersioningConfiguration?.Status === 'Enabled',
    };
  }
  const bucketNamed = (variable) => {
    const name = api?.env[variable];
    const b = Object.values(buckets).find((x) => x.name === name);
    if (api && name !== undefined && !b) problems.push(`the api Deployment's ${variable} (${name}) names no bucket of the template`);
    return b;
  };
  const uploads = bucketNamed('UPLOADS_BUCKET');
  const results = bucketNamed('RESULTS_BUCKET');

  // State machine.
  const [smId, sm] = one('AWS::StepFunctions::StateMachine');
  let stateMachine;
  if (sm) {
    const arn = tpl.arn(smId);
    if (api && api.env.STATE_MACHINE_ARN !== undefined && api.env.STATE_MACHINE_ARN !== arn) {
      problems.push(`the api Deployment's STATE_MACHINE_ARN (${api.env.STATE_MACHINE_ARN}) is not the state machine ${arn}`);
    }
    stateMachine = {
      logicalId: smId,
      arn,
      name: arn.split(':').pop(),
      roleArn: tpl.resolve(sm.Properties.RoleArn),
      definition: JSON.parse(tpl.resolve(sm.Properties.DefinitionString)),
    };
  }

  // Completion queue and the rules that deliver the state machine's events to it.
  const queueUrl = api?.env.COMPLETION_QUEUE_URL;
  const queueId = queueUrl && tpl.idOf(queueUrl, 'AWS::SQS::Queue');
  if (api && queueUrl !== undefined && !queueId) problems.push(`the api Deployment's COMPLETION_QUEUE_URL (${queueUrl}) names no queue of the template`);
  const rules = [];
  for (const [id, r] of tpl.byType('AWS::Events::Rule')) {
    const p = tpl.resolve(r.Properties);
    if (!p.EventPattern || !stateMachine || !patternMatches(p.EventPattern, stateMachine.arn) || p.State === 'DISABLED') continue;
    const sqsTargets = (p.Targets ?? []).map((t) => ({ id: t.Id, queueId: tpl.idOf(t.Arn, 'AWS::SQS::Queue'), arn: t.Arn })).filter((t) => t.queueId);
    rules.push({ logicalId: id, name: p.Name ?? id, eventPattern: p.EventPattern, sqsTargets });
  }
  const delivering = rules.filter((r) => r.sqsTargets.some((t) => t.queueId === queueId));
  if (queueId && delivering.length === 0) {
    problems.push(`no EventBridge rule delivers the state machine's completion events to the queue the API reads (${queueId}, COMPLETION_QUEUE_URL)`);
  }
  const queues = {};
  for (const [id, r] of tpl.byType('AWS::SQS::Queue')) {
    const p = tpl.resolve(r.Properties ?? {});
    queues[id] = { logicalId: id, name: tpl.name(id), url: tpl.ref(id), arn: tpl.arn(id), visibilityTimeout: p.VisibilityTimeout, redrive: p.RedrivePolicy };
  }

  // Batch.
  const [jdId, jd] = one('AWS::Batch::JobDefinition');
  let jobDefinition;
  if (jd) {
    const c = tpl.resolve(jd.Properties.ContainerProperties);
    const image = tpl.resolve(c.Image);
    const dir = assetDir(cdkOut, image);
    const runtime = dir ? dockerfileRuntime(fs.readFileSync(path.join(dir, 'Dockerfile'), 'utf8')) : undefined;
    if (!runtime?.entrypoint) problems.push(`the job definition's image ${image} has no staged Dockerfile with an ENTRYPOINT in the cloud assembly`);
    const volumes = Object.fromEntries((c.Volumes ?? []).map((v) => [v.Name, v]));
    jobDefinition = {
      logicalId: jdId,
      arn: tpl.ref(jdId),
      environment: Object.fromEntries((c.Environment ?? []).map((e) => [e.Name, e.Value])),
      mountPoints: (c.MountPoints ?? []).map((m) => ({ ...m, volume: volumes[m.SourceVolume] })),
      readonlyRootFilesystem: c.ReadonlyRootFilesystem === true,
      user: c.User !== undefined ? Number(c.User) : runtime?.user?.uid,
      retryStrategy: jd.Properties.RetryStrategy,
      attemptDurationSeconds: jd.Properties.Timeout?.AttemptDurationSeconds,
      roleArn: tpl.resolve(c.JobRoleArn),
      image: { uri: image, dir, ...runtime },
    };
    for (const m of jobDefinition.mountPoints) {
      if (!m.volume) problems.push(`the job definition mounts ${m.ContainerPath} from volume ${m.SourceVolume}, which it does not declare`);
    }
  }
  const jobQueues = tpl.byType('AWS::Batch::JobQueue').map(([id]) => tpl.ref(id));

  // Edge: CloudFront's response headers, the WAF's body-size and rate rules.
  let responseHeaders;
  const [, policy] = tpl.byType('AWS::CloudFront::ResponseHeadersPolicy')[0] ?? [];
  if (!policy) problems.push('no AWS::CloudFront::ResponseHeadersPolicy');
  else responseHeaders = responseHeadersOf(tpl.resolve(policy.Properties.ResponseHeadersPolicyConfig));
  const waf = assembly.edge ? wafOf(new Template(assembly.edge)) : undefined;
  if (!waf) problems.push(`no WAF web ACL (the ${stage}-edge stack)`);

  if (problems.length) fail(problems);
  return {
    stage,
    region: tpl.region,
    account: tpl.account,
    template: tpl,
    templates: assembly,
    api,
    web,
    buckets,
    uploads,
    results,
    stateMachine,
    completion: { queue: queues[queueId], rules },
    queues,
    batch: { jobDefinition, jobQueues },
    edge: { responseHeaders, waf },
  };
}

/**
 * The headers a CloudFront response-headers policy sets (and removes), as an HTTP proxy applies
 * them: `set` replaces the origin's header (Override: true), `setIfAbsent` only fills in a header
 * the origin did not send (Override: false), as CloudFront does.
 */
function responseHeadersOf(config) {
  const set = {};
  const setIfAbsent = {};
  const put = (name, header, value) => {
    (header.Override ? set : setIfAbsent)[name] = value;
  };
  const s = config.SecurityHeadersConfig ?? {};
  if (s.ContentSecurityPolicy) put('content-security-policy', s.ContentSecurityPolicy, s.ContentSecurityPolicy.ContentSecurityPolicy);
  if (s.ContentTypeOptions) put('x-content-type-options', s.ContentTypeOptions, 'nosniff');
  if (s.FrameOptions) put('x-frame-options', s.FrameOptions, s.FrameOptions.FrameOption);
  if (s.ReferrerPolicy) put('referrer-policy', s.ReferrerPolicy, s.ReferrerPolicy.ReferrerPolicy);
  if (s.StrictTransportSecurity) {
    const h = s.StrictTransportSecurity;
    put('strict-transport-security', h, `max-age=${h.AccessControlMaxAgeSec}${h.IncludeSubdomains ? '; includeSubDomains' : ''}${h.Preload ? '; preload' : ''}`);
  }
  if (s.XSSProtection) {
    const x = s.XSSProtection;
    put('x-xss-protection', x, x.Protection ? `1${x.ModeBlock ? '; mode=block' : ''}${x.ReportUri ? `; report=${x.ReportUri}` : ''}` : '0');
  }
  for (const h of config.CustomHeadersConfig?.Items ?? []) put(h.Header.toLowerCase(), h, h.Value);
  const remove = (config.RemoveHeadersConfig?.Items ?? []).map((h) => h.Header.toLowerCase());
  return { set, setIfAbsent, remove };
}

/**
 * The WAF rules a local proxy can apply: the rate rule (requests per IP in a window) and the body
 * rules (bodies over the 8 KB SizeRestrictions_BODY inspection are blocked, except on the
 * listed API paths up to their Content-Length limit).
 */
function wafOf(tpl) {
  const [, acl] = tpl.byType('AWS::WAFv2::WebACL')[0] ?? [];
  if (!acl) return undefined;
  const rules = tpl.resolve(acl.Properties.Rules);
  const rate = rules.find((r) => r.Statement.RateBasedStatement)?.Statement.RateBasedStatement;
  const pathOf = (st) => {
    const parts = st.AndStatement.Statements;
    return {
      method: parts.find((p) => p.ByteMatchStatement).ByteMatchStatement.SearchString,
      pathRegex: parts.find((p) => p.RegexMatchStatement).RegexMatchStatement.RegexString,
    };
  };
  const largeBodyPaths = [];
  let largeBodyBlocked = false;
  for (const r of rules) {
    const and = r.Statement.AndStatement?.Statements;
    if (!and || !r.Action?.Block) continue;
    const label = and.find((s) => s.LabelMatchStatement)?.LabelMatchStatement.Key;
    if (!/SizeRestrictions_Body$/.test(label ?? '')) continue;
    const not = and.find((s) => s.NotStatement)?.NotStatement.Statement;
    const onPath = and.find((s) => s.AndStatement);
    if (onPath && not?.RegexMatchStatement) {
      // Content-Length at most N: the regex spells the limit; keep it as the regex.
      largeBodyPaths.push({ ...pathOf(onPath), contentLengthRegex: not.RegexMatchStatement.RegexString });
    } else if (not) {
      largeBodyBlocked = true;
    }
  }
  const sizeCounted = rules.some((r) => r.Statement.ManagedRuleGroupStatement?.Name === 'AWSManagedRulesCommonRuleSet');
  return {
    rate: rate ? { limit: rate.Limit, windowSeconds: rate.EvaluationWindowSec ?? 300, key: rate.AggregateKeyType } : undefined,
    // SizeRestrictions_BODY of the common rule set labels bodies over 8 KB.
    body: sizeCounted ? { inspectedBytes: 8192, blockedOutsidePaths: largeBodyBlocked, paths: largeBodyPaths } : undefined,
  };
}

module.exports = { loadWiring, readAssembly, dockerfileRuntime, responseHeadersOf, wafOf, WiringError, API_ENV_REQUIRED, EXAMPLE };
