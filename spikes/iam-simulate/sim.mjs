import { runSimulation } from '@cloud-copilot/iam-simulate'
const A = '111111111111', ROLE = `arn:aws:iam::${A}:role/api`
const pol = (...Statement) => ({ Version: '2012-10-17', Statement })
async function sim(label, { principal = ROLE, action, resource, ctx = {}, identity = [], resourcePolicy }) {
  const r = await runSimulation({
    request: { principal, action, resource: { resource, accountId: A }, contextVariables: ctx },
    identityPolicies: identity.map((p, i) => ({ name: `p${i}`, policy: p })),
    serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy }, {})
  const extra = r.resultType === 'error' ? JSON.stringify(r.errors) : `ignored=${JSON.stringify(r.result?.ignoredContextKeys)}`
  console.log(label.padEnd(34), r.resultType === 'error' ? 'ERROR' : r.overallResult, extra)
}
// (a) S3 identity policy on a prefix
const s3Id = pol({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/uploads/*' })
await sim('a1 GetObject uploads/x', { action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/x', identity: [s3Id] })
await sim('a2 GetObject results/x', { action: 's3:GetObject', resource: 'arn:aws:s3:::b/results/x', identity: [s3Id] })
// (b) KMS: key policy delegates to account root, identity policy requires ViaService
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const keyPol = pol({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' })
const kmsId = pol({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY,
  Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } })
await sim('b1 Decrypt via s3', { action: 'kms:Decrypt', resource: KEY, identity: [kmsId], resourcePolicy: keyPol,
  ctx: { 'kms:ViaService': 's3.us-east-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/uploads/x' } })
await sim('b2 Decrypt direct (no ViaService)', { action: 'kms:Decrypt', resource: KEY, identity: [kmsId], resourcePolicy: keyPol })
await sim('b3 Decrypt, key policy w/o root', { action: 'kms:Decrypt', resource: KEY, identity: [kmsId],
  resourcePolicy: pol({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:role/admin` }, Action: 'kms:*', Resource: '*' }),
  ctx: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } })
// (c) EventBridge service principal -> SQS queue policy with aws:SourceArn
const Q = `arn:aws:sqs:us-east-1:${A}:jobs`, RULE = `arn:aws:events:us-east-1:${A}:rule/on-upload`
const qPol = pol({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: Q,
  Condition: { ArnEquals: { 'aws:SourceArn': RULE } } })
const ev = { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: Q, resourcePolicy: qPol }
await sim('c1 events SendMessage, right rule', { ...ev, ctx: { 'aws:SourceArn': RULE } })
await sim('c2 events SendMessage, other rule', { ...ev, ctx: { 'aws:SourceArn': RULE + '-x' } })
await sim('c3 events SendMessage, no SourceArn', ev)
