import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppCluster } from '../../src/cluster/app-cluster';
import { PlatformEdge, VPC_ORIGIN_SECURITY_GROUP_NAME } from '../../src/edge/platform-edge';
import { PlatformNetwork } from '../../src/network/platform-network';
import { expectCompliant } from '../helpers';

const ACCOUNT = '123456789012';

describe('the ALB admits only the CloudFront VPC origin (AppCluster + PlatformEdge)', () => {
  const stack = new Stack(new App(), 'Test', { env: { account: ACCOUNT, region: 'us-east-1' } });
  const network = new PlatformNetwork(stack, 'Network');
  const cluster = new AppCluster(stack, 'App', { vpc: network.vpc, loadBalancerIngressFromVpc: false });
  new PlatformEdge(stack, 'Edge', { loadBalancer: cluster.loadBalancer, originHttps: cluster.originHttps });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, any>;
  const albSgId = stack.getLogicalId(cluster.loadBalancerSecurityGroup.node.defaultChild as any);
  const lookupId = Object.keys(resources).find((id) => resources[id].Type === 'Custom::VpcOriginSecurityGroup')!;

  test('no rule admits a CIDR of the VPC any more', () => {
    expect(resources[albSgId].Properties.SecurityGroupIngress).toBeUndefined();
    const cidrRules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.GroupId?.['Fn::GetAtt']?.[0] === albSgId && r.Properties.CidrIp,
    );
    expect(cidrRules).toEqual([]);
  });

  test("the final rule: the listener port from CloudFront's VPC-origin security group, looked up after the VpcOrigin", () => {
    expect(lookupId).toBeDefined();
    const rules = Object.values(resources).filter(
      (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.GroupId?.['Fn::GetAtt']?.[0] === albSgId,
    );
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties).toEqual({
      GroupId: { 'Fn::GetAtt': [albSgId, 'GroupId'] },
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [lookupId, 'SecurityGroups.0.GroupId'] },
      Description: expect.stringContaining('CloudFront VPC origin'),
    });
    // CloudFront creates its security group with the first VPC origin: the lookup waits for it.
    const vpcOriginId = Object.keys(resources).find((id) => resources[id].Type === 'AWS::CloudFront::VpcOrigin')!;
    const after = new Set<string>();
    const visit = (id: string) => {
      for (const d of resources[id].DependsOn ?? []) if (!after.has(d)) { after.add(d); visit(d); }
    };
    visit(lookupId);
    expect(after.has(vpcOriginId) || [...after].some((d) => resources[d].Type === 'AWS::CloudFront::Distribution')).toBe(true);
  });

  test('zero unacknowledged findings, the lookup handler included', () => {
    expectCompliant(stack);
  });

  test("the lookup's EC2 call finds CloudFront's group in moto's EC2, only in this VPC and only once it exists", () => {
    const create = JSON.parse(JSON.stringify(resources[lookupId].Properties.Create));
    const call = typeof create === 'string' ? create : JSON.stringify(create);
    const python = findPythonWithMoto();
    if (!python) {
      throw new Error('this test needs a Python with moto and boto3: run examples/biotech-app/services/api/scripts/test.sh once (it creates .venv)');
    }
    const script = `
import json, sys
import boto3
from moto import mock_aws

create = json.loads(sys.argv[1])
if isinstance(create, dict) and "Fn::Join" in create:
    sep, parts = create["Fn::Join"]
    create = sep.join(p if isinstance(p, str) else "VPC_ID" for p in parts)
call = json.loads(create)
assert call["service"] == "EC2" and call["action"] == "describeSecurityGroups", call
with mock_aws():
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    params = json.loads(json.dumps(call["parameters"]).replace("VPC_ID", vpc))
    params = {k[0].upper() + k[1:]: v for k, v in params.items()}
    before = ec2.describe_security_groups(**params)["SecurityGroups"]
    ec2.create_security_group(GroupName="${VPC_ORIGIN_SECURITY_GROUP_NAME}", Description="x", VpcId=other)
    group = ec2.create_security_group(GroupName="${VPC_ORIGIN_SECURITY_GROUP_NAME}", Description="x", VpcId=vpc)["GroupId"]
    after = ec2.describe_security_groups(**params)["SecurityGroups"]
    print(json.dumps({"before": len(before), "found": [g["GroupId"] for g in after], "expected": group}))
`;
    const out = spawnSync(python, ['-c', script, call], { encoding: 'utf-8' });
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout);
    expect(result.before).toBe(0);
    expect(result.found).toEqual([result.expected]);
  });
});

function findPythonWithMoto(): string | undefined {
  const venv = path.join(__dirname, '..', '..', 'examples', 'biotech-app', 'services', 'api', '.venv', 'bin', 'python');
  for (const candidate of [venv, 'python3']) {
    if (candidate === venv && !fs.existsSync(venv)) continue;
    const probe = spawnSync(candidate, ['-c', 'import moto, boto3'], { encoding: 'utf-8' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}
