import { runSimulation, runUnsafeSimulation, getDenialReasons } from '@cloud-copilot/iam-simulate'
const A = '111111111111', ROLE = `arn:aws:iam::${A}:role/api`
const pol = (...Statement) => ({ Version: '2012-10-17', Statement })
const mk = ({ principal = ROLE, action, resource, ctx = {}, identity = [], resourcePolicy }) => ({
  request: { principal, action, resource: { resource, accountId: A }, contextVariables: ctx },
  identityPolicies: identity.map((p, i) => ({ name: `p${i}`, policy: p })),
  serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy })
async function sim(label, o) {
  const r = await runSimulation(mk(o), {})
  console.log(label.padEnd(40), r.resultType === 'error' ? 'ERROR ' + JSON.stringify(r.errors) : r.overallResult + ' ignored=' + JSON.stringify(r.result?.ignoredContextKeys),
    '| unsafe=' + (() => { try { return runUnsafeSimulation(mk(o), {}) } catch (e) { return 'throw ' + e.message } })())
  return r
}
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
const keyPol = pol({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' })
const ecId = pol({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY,
  Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/*' } } })
await sim('EC cond, ctx given', { action: 'kms:GenerateDataKey', resource: KEY, identity: [ecId], resourcePolicy: keyPol,
  ctx: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/uploads/x' } })
const bucketDeny = pol({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } } })
const s3Id = pol({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/uploads/*' })
await sim('Put SecureTransport=true', { action: 's3:PutObject', resource: 'arn:aws:s3:::b/uploads/x', identity: [s3Id], resourcePolicy: bucketDeny, ctx: { 'aws:SecureTransport': 'true' } })
const r = await sim('Put SecureTransport=false', { action: 's3:PutObject', resource: 'arn:aws:s3:::b/uploads/x', identity: [s3Id], resourcePolicy: bucketDeny, ctx: { 'aws:SecureTransport': 'false' } })
console.log('  denialReasons:', JSON.stringify(getDenialReasons(r.result.analysis)))
await sim('Put no SecureTransport key', { action: 's3:PutObject', resource: 'arn:aws:s3:::b/uploads/x', identity: [s3Id], resourcePolicy: bucketDeny })
await sim('s3:HeadObject (not an IAM action)', { action: 's3:HeadObject', resource: 'arn:aws:s3:::b/uploads/x', identity: [s3Id] })
await sim('GetObject on bucket ARN', { action: 's3:GetObject', resource: 'arn:aws:s3:::b', identity: [s3Id] })
const listId = pol({ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b', Condition: { StringLike: { 's3:prefix': 'uploads/*' } } })
await sim('ListBucket prefix uploads/', { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', identity: [listId], ctx: { 's3:prefix': 'uploads/a' } })
await sim('ListBucket prefix results/', { action: 's3:ListBucket', resource: 'arn:aws:s3:::b', identity: [listId], ctx: { 's3:prefix': 'results/' } })
const SM = `arn:aws:states:us-east-1:${A}:stateMachine:sm`
await sim('states:StartExecution', { action: 'states:StartExecution', resource: SM, identity: [pol({ Effect: 'Allow', Action: 'states:StartExecution', Resource: SM })] })
await sim('states:DescribeExecution on SM ARN', { action: 'states:DescribeExecution', resource: SM, identity: [pol({ Effect: 'Allow', Action: 'states:DescribeExecution', Resource: '*' })] })
await sim('kms:Decrypt bad-cased key in ctx', { action: 'kms:Decrypt', resource: KEY, identity: [], resourcePolicy: keyPol, ctx: { 'kms:viaservice': 'x', 'foo:bar': 'y' } })
