#!/usr/bin/env node
// Generates the architecture pictures of the documentation site from what the code synthesizes.
//
// Inputs (nothing is drawn by hand):
//   examples/biotech-app/cdk.out/tree.json            construct paths and logical ids
//   examples/biotech-app/cdk.out/BiotechX-*.template.json  resources and the references between them
//   .github/workflows/*.yml                            the build / release jobs and their `needs`
// Outputs, in docs/public/diagrams/ (or the directory given with --out):
//   platform-hml.dot/.svg, platform-prod.dot/.svg   one picture per stage, grouped by construct
//   data-flow.dot/.svg                              one analysis, with the state machine's real states
//   deploy-pipeline.dot/.svg                        the GitHub Actions jobs and their dependencies
//   stamp.json                                      hashes of the inputs, the DOT and the SVG files
//
// Usage: node docs/scripts/diagrams.mjs [--out DIR] [--dot-only]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const cdkOut = path.join(repo, 'examples', 'biotech-app', 'cdk.out');
const workflowsDir = path.join(repo, '.github', 'workflows');
/** The library's workflows (projen) and the hand-written deploy workflow, all in .github/workflows. */
const WORKFLOW_DIRS = [workflowsDir];
const workflowFiles = () => WORKFLOW_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(d, f)) : []));
const args = process.argv.slice(2);
const outDir = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(here, '..', 'public', 'diagrams'));
const dotOnly = args.includes('--dot-only');

export const STAGES = ['hml', 'prod'];
const GROUPS = ['Network', 'Buckets', 'Database', 'Pipeline', 'Cluster', 'Edge', 'Identity', 'Monitoring'];
const GROUP_COLOURS = {
  Network: '#e8f1fb', Buckets: '#eaf7ea', Database: '#fdf1e4', Pipeline: '#f3ecfb',
  Cluster: '#e6f6f6', Edge: '#fdeaea', Identity: '#fbf7e2', Monitoring: '#f0f0f0', 'Edge stack (us-east-1)': '#fdeaea',
};

/** Resource types drawn as nodes, with a short label. */
const MAIN = {
  'AWS::EC2::VPC': 'VPC', 'AWS::EC2::NatGateway': 'NAT gateway', 'AWS::EC2::Instance': 'EC2 instance (NAT)',
  'AWS::EC2::VPCEndpoint': 'VPC endpoint',
  'AWS::EC2::FlowLog': 'flow log',
  'AWS::S3::Bucket': 'S3 bucket',
  'AWS::RDS::DBCluster': 'Aurora cluster', 'AWS::RDS::DBInstance': 'Aurora instance',
  'AWS::SecretsManager::Secret': 'secret', 'AWS::SecretsManager::RotationSchedule': 'rotation',
  'AWS::Backup::BackupVault': 'backup vault', 'AWS::Backup::BackupPlan': 'backup plan',
  'AWS::Batch::ComputeEnvironment': 'Batch compute env', 'AWS::Batch::JobQueue': 'Batch job queue',
  'AWS::Batch::JobDefinition': 'Batch job definition', 'AWS::StepFunctions::StateMachine': 'state machine',
  'AWS::Cognito::UserPool': 'Cognito user pool', 'AWS::Cognito::UserPoolClient': 'user pool client',
  'AWS::EKS::Cluster': 'EKS cluster (Auto Mode)', 'AWS::EKS::PodIdentityAssociation': 'Pod Identity',
  'AWS::EKS::Addon': 'EKS add-on',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'internal ALB', 'AWS::ElasticLoadBalancingV2::TargetGroup': 'target group',
  'AWS::CloudFront::Distribution': 'CloudFront', 'AWS::CloudFront::VpcOrigin': 'CloudFront VPC origin',
  'AWS::WAFv2::WebACL': 'WAF web ACL',
  'AWS::SNS::Topic': 'SNS topic', 'AWS::CloudWatch::Alarm': 'alarm', 'AWS::CloudWatch::CompositeAlarm': 'composite alarm',
  'AWS::CloudWatch::Dashboard': 'dashboard', 'AWS::Events::Rule': 'EventBridge rule', 'AWS::Logs::MetricFilter': 'metric filter',
};
/** Types whose references are followed through (a role leads to what its policies grant). */
const THROUGH = new Set(['AWS::IAM::Role', 'AWS::IAM::Policy', 'Custom::CrossRegionExportReader']);
/** Types collapsed into one "N ×" node per group when there are more than this many. */
const COLLAPSE_ABOVE = 3;

export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** logical id → construct path, from tree.json */
function logicalIdPaths(tree, stackName) {
  const map = new Map();
  const walk = (node) => {
    const id = node.attributes?.['aws:cdk:cloudformation:logicalId'];
    if (id) map.set(id, node.path);
    for (const child of Object.values(node.children ?? {})) walk(child);
  };
  walk(tree.tree.children[stackName]);
  return map;
}

/** Every logical id a CloudFormation value refers to (Ref, Fn::GetAtt, Fn::Sub). */
function refsOf(value, known, out = new Set()) {
  if (Array.isArray(value)) {
    for (const v of value) refsOf(v, known, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && known.has(v)) out.add(v);
      else if (k === 'Fn::GetAtt') {
        const target = Array.isArray(v) ? v[0] : String(v).split('.')[0];
        if (known.has(target)) out.add(target);
      } else if (k === 'Fn::Sub') {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z]+)?\}/g)) if (known.has(m[1])) out.add(m[1]);
        if (Array.isArray(v)) refsOf(v[1], known, out);
      } else refsOf(v, known, out);
    }
  }
  return out;
}

function dotId(s) {
  return `"${s.replace(/"/g, '\\"')}"`;
}
function dotLabel(s) {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Builds the per-stage picture model: groups of nodes and edges between them. */
export function stageModel(stage) {
  const stackName = `BiotechX-${stage}`;
  const tree = readJson(path.join(cdkOut, 'tree.json'));
  const template = readJson(path.join(cdkOut, `${stackName}.template.json`));
  const edgeFile = path.join(cdkOut, `${stackName}-edge.template.json`);
  const edgeTemplate = existsSync(edgeFile) ? readJson(edgeFile) : { Resources: {} };
  const paths = logicalIdPaths(tree, stackName);
  const resources = template.Resources;
  const known = new Set(Object.keys(resources));

  const groupOf = (id) => {
    const parts = (paths.get(id) ?? '').split('/');
    return parts[1] === 'Platform' && GROUPS.includes(parts[2]) ? parts[2] : null;
  };
  const nameOf = (id) => {
    const parts = (paths.get(id) ?? id).split('/').slice(3).filter((p) => p !== 'Resource' && p !== 'Default');
    return parts.join('/') || id;
  };

  // Nodes: main resources, collapsed per group and type when numerous.
  const counts = new Map();
  for (const [id, r] of Object.entries(resources)) {
    const g = groupOf(id);
    if (g && MAIN[r.Type]) counts.set(`${g}|${r.Type}`, (counts.get(`${g}|${r.Type}`) ?? 0) + 1);
  }
  const nodeOf = new Map(); // logical id → node key
  const nodes = new Map(); // node key → { group, label }
  for (const [id, r] of Object.entries(resources)) {
    const g = groupOf(id);
    if (!g || !MAIN[r.Type]) continue;
    const n = counts.get(`${g}|${r.Type}`);
    let key; let label;
    if (n > COLLAPSE_ABOVE) {
      key = `${g}|${r.Type}`;
      label = `${n} × ${MAIN[r.Type]}`;
    } else {
      key = id;
      label = `${MAIN[r.Type]}\n${nameOf(id)}`;
      if (r.Type === 'AWS::EKS::PodIdentityAssociation') label = `Pod Identity\nsa ${r.Properties.ServiceAccount}`;
      if (r.Type === 'AWS::EC2::VPC') {
        const subnets = Object.values(resources).filter((x) => x.Type === 'AWS::EC2::Subnet').length;
        label = `VPC ${r.Properties.CidrBlock}\n${subnets} subnets`;
      }
      if (r.Type === 'AWS::RDS::DBCluster') {
        const s = r.Properties.ServerlessV2ScalingConfiguration ?? {};
        label = `Aurora ${r.Properties.Engine}\nServerless v2 ${s.MinCapacity}–${s.MaxCapacity} ACU`;
      }
      if (r.Type === 'AWS::EKS::Addon') label = `add-on\n${r.Properties.AddonName}`;
      if (r.Type === 'AWS::Batch::ComputeEnvironment') {
        const c = r.Properties.ComputeResources ?? {};
        label = `Batch compute env\n${c.Type ?? ''} max ${c.MaxvCpus ?? '?'} vCPU`;
      }
    }
    nodeOf.set(id, key);
    nodes.set(key, { group: g, label });
  }
  // The us-east-1 edge stack: its web ACL is read through a cross-region export reader.
  for (const [id, r] of Object.entries(edgeTemplate.Resources)) {
    if (r.Type !== 'AWS::WAFv2::WebACL') continue;
    nodes.set(`edge:${id}`, { group: 'Edge stack (us-east-1)', label: `WAF web ACL (CLOUDFRONT)\n${r.Properties.Rules?.length ?? 0} rules` });
  }

  // Effective references: follow roles, the policies attached to them and export readers.
  const direct = new Map();
  for (const [id, r] of Object.entries(resources)) direct.set(id, refsOf(r.Properties ?? {}, known));
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::IAM::Policy') continue;
    for (const role of refsOf(r.Properties.Roles ?? [], known)) {
      for (const target of direct.get(id)) if (target !== role) direct.get(role).add(target);
    }
  }
  const effective = (id, seen = new Set()) => {
    const out = new Set();
    for (const target of direct.get(id) ?? []) {
      if (seen.has(target)) continue;
      seen.add(target);
      const t = resources[target];
      if (nodeOf.has(target)) out.add(nodeOf.get(target));
      else if (THROUGH.has(t.Type)) {
        if (t.Type === 'Custom::CrossRegionExportReader') {
          const imports = JSON.stringify(t.Properties);
          for (const key of nodes.keys()) if (key.startsWith('edge:') && imports.includes(key.slice(5))) out.add(key);
        } else for (const x of effective(target, seen)) out.add(x);
      }
    }
    return out;
  };
  const edges = new Map(); // "from→to" → style
  const addEdge = (from, to, kind) => {
    if (from === to) return;
    if (nodes.get(to)?.label.startsWith('VPC ')) return; // everything lives in the VPC
    const k = `${from}\u0000${to}`;
    if (!edges.has(k)) edges.set(k, kind);
  };
  for (const [id, key] of nodeOf) {
    const t = resources[id].Type;
    const kind = t.startsWith('AWS::CloudWatch::') || t === 'AWS::Logs::MetricFilter' ? 'watches' : 'uses';
    for (const target of effective(id)) addEdge(key, target, kind);
  }
  // Network paths allowed by security-group ingress rules: owner of the source → owner of the group.
  const sgOwners = new Map();
  for (const [id, key] of nodeOf) {
    const p = resources[id].Properties ?? {};
    const sgs = [p.VpcSecurityGroupIds, p.SecurityGroupIds, p.SecurityGroups, p.ComputeResources?.SecurityGroupIds,
      p.ResourcesVpcConfig?.SecurityGroupIds];
    for (const sg of refsOf(sgs, known)) {
      if (!sgOwners.has(sg)) sgOwners.set(sg, new Set());
      sgOwners.get(sg).add(key);
    }
  }
  for (const [id, r] of Object.entries(resources)) {
    const inline = r.Type === 'AWS::EC2::SecurityGroup' ? (r.Properties.SecurityGroupIngress ?? []).map((rule) => ({ ...rule, GroupId: { Ref: id } })) : [];
    const rules = r.Type === 'AWS::EC2::SecurityGroupIngress' ? [r.Properties] : inline;
    for (const rule of rules) {
      if (!rule.SourceSecurityGroupId) continue;
      const [src] = refsOf(rule.SourceSecurityGroupId, known);
      const [dst] = refsOf(rule.GroupId, known);
      const port = rule.FromPort === rule.ToPort ? `tcp/${rule.FromPort}` : `tcp/${rule.FromPort}-${rule.ToPort}`;
      const owners = (sg) => sgOwners.get(sg) ?? (nodeOf.has(sg) ? [nodeOf.get(sg)] : []);
      for (const a of owners(src)) for (const b of owners(dst)) {
        if (a !== b) edges.set(`${a}\u0000${b}`, `network ${port}`);
      }
    }
  }
  return { stage, nodes, edges };
}

export function stageDot({ stage, nodes, edges }) {
  const lines = [
    `digraph "platform-${stage}" {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, compound=true, newrank=true, nodesep=0.25, ranksep=0.9,`,
    `         label=${dotLabel(`ProteomicsPlatform, stage ${stage} — generated from examples/biotech-app/cdk.out (BiotechX-${stage})`)}, labelloc=t];`,
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
  ];
  const groups = [...new Set([...nodes.values()].map((n) => n.group))];
  groups.sort((a, b) => (GROUPS.indexOf(a) + 100 * (GROUPS.indexOf(a) < 0)) - (GROUPS.indexOf(b) + 100 * (GROUPS.indexOf(b) < 0)));
  for (const g of groups) {
    lines.push(`  subgraph ${dotId(`cluster_${g}`)} {`);
    lines.push(`    label=${dotLabel(g)}; style="rounded,filled"; fillcolor=${dotLabel(GROUP_COLOURS[g] ?? '#ffffff')}; color="#999999";`);
    const keys = [...nodes.entries()].filter(([, n]) => n.group === g).map(([k]) => k).sort();
    for (const k of keys) lines.push(`    ${dotId(k)} [label=${dotLabel(nodes.get(k).label)}];`);
    lines.push('  }');
  }
  const sorted = [...edges.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [k, kind] of sorted) {
    const [from, to] = k.split('\u0000');
    const style = kind === 'watches' ? 'style=dashed, color="#aaaaaa", arrowsize=0.5'
      : kind.startsWith('network') ? `color="#c0392b", penwidth=1.4, label=${dotLabel(kind.slice(8))}` : '';
    lines.push(`  ${dotId(from)} -> ${dotId(to)}${style ? ` [${style}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The state machine's states and transitions, read from its definition in the prod template. */
function stateMachineStates(stage = 'prod') {
  const template = readJson(path.join(cdkOut, `BiotechX-${stage}.template.json`));
  const sm = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  const d = sm.Properties.DefinitionString;
  const text = typeof d === 'string' ? d : d['Fn::Join'][1].map((x) => (typeof x === 'string' ? x : 'TOKEN')).join('');
  return JSON.parse(text);
}

export function dataFlowDot() {
  const def = stateMachineStates();
  const lines = [
    'digraph "data-flow" {',
    '  graph [rankdir=TB, fontname="Helvetica", fontsize=12, compound=true, nodesep=0.3, ranksep=0.45,',
    '         label="One analysis: upload, orchestration, results (states read from the synthesized state machine)", labelloc=t];',
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=10];',
    '  edge [fontname="Helvetica", fontsize=8, color="#555555"];',
    '  subgraph cluster_users { label="users"; style=rounded; color="#999999";',
    '    browser [label="Browser\\n(Next.js app)"]; }',
    '  subgraph cluster_app { label="EKS"; style="rounded,filled"; fillcolor="#e6f6f6"; color="#999999";',
    '    api [label="FastAPI pods\\n(Pod Identity role)"]; }',
    '  subgraph cluster_data { label="storage"; style="rounded,filled"; fillcolor="#eaf7ea"; color="#999999";',
    '    uploads [label="uploads bucket\\nmanifests/<analysisId>.json\\n<files>", shape=cylinder];',
    '    results [label="results bucket\\nanalyses/<analysisId>/files/<fileId>/\\nanalyses/<analysisId>/summary.json", shape=cylinder];',
    '    db [label="Aurora PostgreSQL\\nusers, samples, analyses", shape=cylinder]; }',
    '  bus [label="EventBridge\\n\\"Analysis Completed\\"", shape=hexagon];',
    '  browser -> api [label="1 POST /samples, presign parts"];',
    '  browser -> uploads [label="2 multipart PUT (presigned)", color="#2e7d32"];',
    '  api -> db [label="rows"];',
    '  api -> uploads [label="3 write manifest"];',
    `  api -> ${dotId(`sfn:${def.StartAt}`)} [label="4 StartExecution\\n<analysisId>-<attempt>", lhead=cluster_sfn];`,
    '  subgraph cluster_sfn { label="Step Functions state machine (JSONata)"; style="rounded,filled"; fillcolor="#f3ecfb"; color="#999999";',
  ];
  const edges = [];
  const addStates = (states, prefix, indent) => {
    for (const [name, s] of Object.entries(states)) {
      const id = dotId(`sfn:${prefix}${name}`);
      const shape = s.Type === 'Choice' ? 'diamond' : s.Type === 'Fail' ? 'octagon' : s.Type === 'Succeed' ? 'doubleoctagon' : 'box';
      const batch = typeof s.Resource === 'string' && s.Resource.includes('batch:submitJob') ? '\\nBatch job' + (s.Arguments?.ArrayProperties ? ' (array)' : '') : '';
      if (s.ItemProcessor) {
        lines.push(`${indent}subgraph ${dotId(`cluster_${prefix}${name}`)} { label=${dotLabel(`${name} (${s.ItemProcessor.ProcessorConfig?.Mode ?? 'INLINE'} Map)`)}; style=dashed;`);
        addStates(s.ItemProcessor.States, `${prefix}${name}/`, `${indent}  `);
        lines.push(`${indent}}`);
        edges.push(`${id} -> ${dotId(`sfn:${prefix}${name}/${s.ItemProcessor.StartAt}`)} [style=dotted]`);
        lines.push(`${indent}${id} [label=${dotLabel(`${name}\nMap`)}, shape=box3d];`);
      } else {
        lines.push(`${indent}${id} [label="${name}${batch}", shape=${shape}${batch ? ', fillcolor="#efe3fb"' : ''}];`);
      }
      const to = (n, label) => edges.push(`${id} -> ${dotId(`sfn:${prefix}${n}`)}${label ? ` [label=${dotLabel(label)}, style=dashed]` : ''}`);
      if (s.Next) to(s.Next);
      for (const c of s.Choices ?? []) to(c.Next, 'if');
      if (s.Default) to(s.Default, 'else');
      for (const c of s.Catch ?? []) to(c.Next, 'catch');
    }
  };
  addStates(def.States, '', '    ');
  lines.push('  }');
  for (const e of [...new Set(edges)]) lines.push(`  ${e};`);
  lines.push(
    '  worker [label="worker container\\n(one array child per file)", fillcolor="#efe3fb"];',
    '  "sfn:AnalyseArray" -> worker [style=dotted, label="Batch on Spot\\n(on-demand after escalation)"];',
    '  uploads -> worker [label="5 download file"];',
    '  worker -> results [label="5 results, summary.json last"];',
    '  "sfn:PublishCompletion" -> bus;',
    '  bus -> api [label="6 terminal status"];',
    '  api -> results [label="6 presigned downloads", style=dashed];',
    '}',
  );
  return `${lines.join('\n')}\n`;
}

/** Jobs of the GitHub Actions workflows and their `needs`, read from the YAML text. */
export function deployPipelineDot() {
  const files = workflowFiles();
  const lines = [
    'digraph "deploy-pipeline" {',
    '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.6,',
    '         label="GitHub Actions workflows: the library (.github/workflows, written by projen) and the reference app (examples/biotech-app/.github/workflows)", labelloc=t];',
    '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=10];',
    '  edge [color="#555555"];',
  ];
  const registries = { release_npm: 'npm', release_pypi: 'PyPI', release_maven: 'Maven Central', release_nuget: 'NuGet', release_golang: 'Go module repo', release_github: 'GitHub Release' };
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(repo, file);
    const name = (text.match(/^name:\s*(.+)$/m)?.[1] ?? file).trim();
    const triggers = [...(text.match(/^on:\n((?: {2}.+\n)+)/m)?.[1] ?? '').matchAll(/^ {2}([a-z_]+):/gm)].map((m) => m[1]);
    const jobsText = text.split(/^jobs:\n/m)[1] ?? '';
    const jobs = [];
    for (const block of jobsText.split(/^(?= {2}[A-Za-z0-9_-]+:\s*$)/m)) {
      const m = block.match(/^ {2}([A-Za-z0-9_-]+):\s*$/m);
      if (!m) continue;
      let needs = [];
      const inline = block.match(/^ {4}needs:\s*(\S.*)$/m);
      if (inline) needs = inline[1].replace(/[[\]]/g, '').split(',').map((s) => s.trim()).filter(Boolean);
      const list = block.match(/^ {4}needs:\s*\n((?: {6}- .+\n)+)/m);
      if (list) needs = [...list[1].matchAll(/- (\S+)/g)].map((x) => x[1]);
      const env = block.match(/^ {4}environment:\s*(\S+)\s*$/m)?.[1] ?? block.match(/^ {4}environment:\s*\n(?: {6}#.*\n)* {6}name:\s*(\S+)/m)?.[1];
      jobs.push({ id: m[1], needs, env });
    }
    const c = `wf:${rel}`;
    lines.push(`  subgraph ${dotId(`cluster_${rel}`)} { label=${dotLabel(`${name} (${rel}) on: ${triggers.join(', ')}`)}; style="rounded,filled"; fillcolor="#f5f7fa"; color="#999999";`);
    for (const j of jobs) lines.push(`    ${dotId(`${c}:${j.id}`)} [label=${dotLabel(j.id + (j.env ? `\nenvironment ${j.env}` : ''))}];`);
    lines.push('  }');
    for (const j of jobs) {
      for (const n of j.needs) lines.push(`  ${dotId(`${c}:${n}`)} -> ${dotId(`${c}:${j.id}`)};`);
      if (registries[j.id]) {
        lines.push(`  ${dotId(`reg:${j.id}`)} [label=${dotLabel(registries[j.id])}, shape=cylinder, fillcolor="#fff8e1"];`);
        lines.push(`  ${dotId(`${c}:${j.id}`)} -> ${dotId(`reg:${j.id}`)} [style=dashed];`);
      }
    }
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Hash of everything the pictures are computed from. */
export function inputsHash() {
  const h = createHash('sha256');
  const inputs = [path.join(cdkOut, 'tree.json')];
  for (const s of STAGES) inputs.push(path.join(cdkOut, `BiotechX-${s}.template.json`), path.join(cdkOut, `BiotechX-${s}-edge.template.json`));
  inputs.push(...workflowFiles());
  inputs.push(fileURLToPath(import.meta.url));
  for (const f of inputs) {
    h.update(path.relative(repo, f));
    h.update(existsSync(f) ? readFileSync(f) : '(missing)');
  }
  return h.digest('hex');
}

export function allDots() {
  const dots = {};
  for (const s of STAGES) dots[`platform-${s}`] = stageDot(stageModel(s));
  dots['data-flow'] = dataFlowDot();
  dots['deploy-pipeline'] = deployPipelineDot();
  return dots;
}

function main() {
  for (const f of ['tree.json', ...STAGES.map((s) => `BiotechX-${s}.template.json`)]) {
    if (!existsSync(path.join(cdkOut, f))) {
      console.error(`diagrams: ${path.relative(repo, path.join(cdkOut, f))} is missing. Synthesize the example first: `
        + 'bash scripts/main.sh (or: cd examples/biotech-app && npx projen summary)');
      process.exit(2);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const stamp = { generator: 'docs/scripts/diagrams.mjs', inputs: inputsHash(), dot: {}, svg: {} };
  for (const [name, dot] of Object.entries(allDots())) {
    writeFileSync(path.join(outDir, `${name}.dot`), dot);
    stamp.dot[name] = sha256(dot);
    if (dotOnly) continue;
    const svg = execFileSync('dot', ['-Tsvg'], { input: dot, maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(path.join(outDir, `${name}.svg`), svg);
    stamp.svg[name] = sha256(svg);
  }
  writeFileSync(path.join(outDir, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`);
  console.log(`diagrams: wrote ${Object.keys(stamp.dot).length} pictures to ${path.relative(process.cwd(), outDir) || '.'}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
