// Workaround: call the core engine directly (bypasses the context-key filter that drops kms:EncryptionContext:*)
const path = require('path'), base = path.dirname(require.resolve('@cloud-copilot/iam-simulate')) // dist/cjs
const { authorize } = require(base + '/core_engine/CoreSimulatorEngine.js')
const { AwsRequestImpl } = require(base + '/request/request.js')
const { RequestContextImpl } = require(base + '/requestContext.js')
const { DiscoveryContextKeyConstraints } = require(base + '/context_keys/discoveryContextKeyConstraints.js')
const { loadPolicy } = require('@cloud-copilot/iam-policy')
const A = '111111111111', KEY = `arn:aws:kms:us-east-1:${A}:key/k1`
const pol = (...Statement) => ({ Version: '2012-10-17', Statement })
function run(ctx) {
  const r = authorize({
    request: new AwsRequestImpl(`arn:aws:iam::${A}:role/api`, { resource: KEY, accountId: A }, 'kms:GenerateDataKey', new RequestContextImpl(ctx)),
    sessionPolicy: undefined, permissionBoundaries: undefined, vpcEndpointPolicies: undefined,
    identityPolicies: [loadPolicy(pol({ Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: KEY,
      Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/*' } } }), { name: 'id' })],
    serviceControlPolicies: [], resourceControlPolicies: [],
    resourcePolicy: loadPolicy(pol({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' }), { name: 'keypolicy' }),
    simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
    serviceSettings: { s3: {} } })
  return r.result
}
console.log('EC b/*  ->', run({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::b/uploads/x' }))
console.log('EC c/*  ->', run({ 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::c/x' }))
console.log('no EC   ->', run({}))
