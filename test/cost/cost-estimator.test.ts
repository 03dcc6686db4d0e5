import { aws_ec2 as ec2, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CostEstimator, PlatformNetwork, PlatformStage, PriceTable, ProteomicsPlatform } from '../../src';
import { newStack } from '../helpers';

const HOURS = CostEstimator.HOURS_PER_MONTH;
const natHour = (region: string) => PriceTable.DEFAULT.price('NatGateway', region).usd;
const line = (estimate: { lineItems: { name: string }[] }, prefix: string) => estimate.lineItems.filter((l) => l.name.startsWith(prefix));

function vpcStack(natGateways: number): Stack {
  const stack = newStack();
  new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways });
  return stack;
}

describe('CostEstimator on small synthesized stacks', () => {
  test('adding one NAT gateway raises the estimate by exactly the table price × 730 h', () => {
    const build = (extraNat: boolean) => {
      const stack = newStack();
      new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      if (extraNat) {
        const subnet = new ec2.Subnet(stack, 'Extra', { vpcId: 'vpc-1', availabilityZone: 'eu-west-1a', cidrBlock: '10.1.0.0/24' });
        new ec2.CfnNatGateway(stack, 'OneMore', { subnetId: subnet.subnetId, connectivityType: 'private' });
      }
      return Template.fromStack(stack).toJSON();
    };
    const [without, withOneMore] = [build(false), build(true)];
    for (const region of ['us-east-1', 'sa-east-1']) {
      const before = CostEstimator.estimate(without, { region });
      const after = CostEstimator.estimate(withOneMore, { region });
      expect(after.monthlyUsd - before.monthlyUsd).toBeCloseTo(natHour(region) * 730, 10);
      expect(line(after, 'NAT gateways')[0].quantity).toBe(2);
    }
  });

  test('a VPC with two NAT gateways costs two gateway-months and two public IPv4 addresses more than none', () => {
    const region = 'us-east-1';
    const one = CostEstimator.estimate(Template.fromStack(vpcStack(1)).toJSON(), { region });
    const two = CostEstimator.estimate(Template.fromStack(vpcStack(2)).toJSON(), { region });
    expect(line(one, 'NAT gateways')[0].monthlyUsd).toBeCloseTo(natHour(region) * HOURS, 10);
    expect(line(two, 'NAT gateways')[0].monthlyUsd).toBeCloseTo(2 * natHour(region) * HOURS, 10);
    const ipv4 = PriceTable.DEFAULT.price('PublicIpv4Address', region).usd;
    expect(two.monthlyUsd - one.monthlyUsd).toBeCloseTo((natHour(region) + ipv4) * HOURS, 10);
  });

  test('interface endpoints are priced per AZ they have a network interface in', () => {
    const stack = newStack({ env: true });
    new PlatformNetwork(stack, 'Network', { stage: PlatformStage.PROD, interfaceEndpoints: true });
    const estimate = CostEstimator.estimate(Template.fromStack(stack).toJSON());
    const endpoints = line(estimate, 'interface endpoints')[0];
    expect(endpoints.quantity).toBe(6 * 3);
    expect(endpoints.monthlyUsd).toBeCloseTo(18 * PriceTable.DEFAULT.price('InterfaceEndpointAz', 'us-east-1').usd * HOURS, 10);
  });

  test('a NAT instance is priced at its instance type, public address and volume, instead of a gateway', () => {
    const build = (natInstances: boolean) => {
      const stack = newStack();
      new PlatformNetwork(stack, 'Network', { stage: PlatformStage.HML, natInstances });
      return CostEstimator.estimate(Template.fromStack(stack).toJSON());
    };
    const [gateway, instance] = [build(false), build(true)];
    const p = (item: string) => PriceTable.DEFAULT.price(item, 'us-east-1').usd;
    expect(line(instance, 'NAT instances (t4g.nano)')[0].monthlyUsd).toBeCloseTo(p('Ec2Instance:t4g.nano') * HOURS, 10);
    expect(line(instance, 'public IPv4 addresses')[0].quantity).toBe(1);
    expect(line(instance, 'EC2 instance volumes')[0].quantity).toBe(8);
    expect(gateway.monthlyUsd - instance.monthlyUsd).toBeCloseTo((p('NatGateway') - p('Ec2Instance:t4g.nano')) * HOURS - 8 * p('EbsGp3Gb'), 10);
  });

  test('the same template costs more at sa-east-1 prices than at us-east-1 prices', () => {
    const template = Template.fromStack(vpcStack(1)).toJSON();
    expect(CostEstimator.estimate(template, { region: 'sa-east-1' }).monthlyUsd)
      .toBeGreaterThan(CostEstimator.estimate(template, { region: 'us-east-1' }).monthlyUsd);
  });

  test('a region the table has no prices for is a clear error', () => {
    expect(() => CostEstimator.estimate(Template.fromStack(vpcStack(1)).toJSON(), { region: 'eu-west-9' }))
      .toThrow(/region 'eu-west-9' has no prices in the table \(it has sa-east-1, us-east-1\)/);
  });

  test('nodes are never a type Auto Mode refuses (one vCPU, nano, micro or small)', () => {
    const manifest = (objects: unknown[]) => ({ Type: 'Custom::AWSCDK-EKS-KubernetesResource', Properties: { Manifest: JSON.stringify(objects) } });
    const template = {
      Resources: {
        Pool: manifest([
          { apiVersion: 'eks.amazonaws.com/v1', kind: 'NodeClass', metadata: { name: 'nc' }, spec: { subnetSelectorTerms: [{ id: 'a' }, { id: 'b' }], ephemeralStorage: { size: '20Gi' } } },
          { apiVersion: 'karpenter.sh/v1', kind: 'NodePool', metadata: { name: 'p' }, spec: { template: { spec: { nodeClassRef: { name: 'nc' }, requirements: [] } } } },
        ]),
        App: manifest([{
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'tiny', namespace: 'x' },
          spec: { replicas: 1, template: { spec: { nodeSelector: { 'karpenter.sh/nodepool': 'p' }, containers: [{ resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } } },
        }]),
      },
    };
    const nodes = line(CostEstimator.estimate(template), 'Auto Mode nodes')[0];
    expect(nodes.detail).toMatch(/1 × t3a\.medium at 0\.4 × on-demand \(Spot\)/);
  });

  test('a negative usage assumption is a clear error naming the option', () => {
    expect(() => CostEstimator.estimate({ Resources: {} }, { activeUsers: -1, databaseStorageGb: Number.NaN }))
      .toThrow(/activeUsers is -1: use a finite number of 0 or more; databaseStorageGb is NaN/);
  });

  test('an unknown price item is a clear error naming the item and the regions', () => {
    expect(() => PriceTable.DEFAULT.price('NatGateway', 'eu-west-9')).toThrow(/no price for 'NatGateway' in region 'eu-west-9' \(it has us-east-1, sa-east-1\)/);
    expect(() => PriceTable.DEFAULT.price('Nope', 'us-east-1')).toThrow(/the item is unknown/);
  });

  test('format prints every line item and the total', () => {
    const estimate = CostEstimator.estimate(Template.fromStack(vpcStack(1)).toJSON());
    const text = CostEstimator.format(estimate);
    expect(text).toContain('NAT gateways');
    expect(text).toMatch(new RegExp(`total\\s+\\$${estimate.monthlyUsd.toFixed(2)}`));
  });
});

describe('the price table', () => {
  const table = PriceTable.DEFAULT;
  const items = [...new Set(table.entries.map((e) => e.item))];

  test('has us-east-1 and sa-east-1 for every item, each with its page and the date it was read', () => {
    for (const item of items) {
      for (const region of ['us-east-1', 'sa-east-1']) {
        const p = table.price(item, region);
        expect(p.usd).toBeGreaterThan(0);
        expect(p.source).toMatch(/^https:\/\//);
        expect(p.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(typeof p.verified).toBe('boolean');
      }
    }
  });

  test('marks what could not be confirmed as unverified', () => {
    expect(table.entries.some((e) => !e.verified)).toBe(true);
    expect(table.price('NatGateway', 'us-east-1').verified).toBe(true);
  });
});

describe('CostEstimator on the whole platform (Auto Mode nodes from the manifests)', () => {
  const hml = newStack({ env: true });
  new ProteomicsPlatform(hml, 'Platform');
  const hmlEstimate = CostEstimator.estimate(Template.fromStack(hml).toJSON());
  const prod = newStack({ env: true });
  new ProteomicsPlatform(prod, 'Platform', { stage: PlatformStage.PROD });
  const prodEstimate = CostEstimator.estimate(Template.fromStack(prod).toJSON());

  test('reads every Kubernetes manifest of the template', () => {
    expect(hmlEstimate.notes.filter((n) => /could not be read|selects no NodePool/.test(n))).toEqual([]);
    expect(prodEstimate.notes.filter((n) => /could not be read|selects no NodePool/.test(n))).toEqual([]);
  });

  test('hml nodes are Spot, sized from the api and web requests', () => {
    const nodes = line(hmlEstimate, 'Auto Mode nodes')[0];
    expect(nodes.detail).toMatch(/1 × t3a\.medium at 0\.4 × on-demand \(Spot\)/);
    expect(nodes.quantity).toBe(1);
    expect(nodes.detail).toMatch(/api 1×\(0\.25 vCPU, 0\.5 GiB\), web 1×\(0\.25 vCPU, 0\.5 GiB\)/);
  });

  test('prod nodes are on-demand, one per zone the replicas must spread over', () => {
    const nodes = line(prodEstimate, 'Auto Mode nodes')[0];
    expect(nodes.detail).toMatch(/2 × c6a\.large, on-demand/);
    expect(nodes.quantity).toBe(2);
    expect(line(prodEstimate, 'Auto Mode management fee')[0].quantity).toBe(2);
  });

  test('prod prices the Aurora floor: writer + reader at 0.5 ACU', () => {
    const aurora = line(prodEstimate, 'Aurora Serverless v2')[0];
    expect(aurora.quantity).toBe(1);
    expect(aurora.monthlyUsd).toBeCloseTo(PriceTable.DEFAULT.price('AuroraServerlessV2Acu', 'us-east-1').usd * HOURS, 10);
  });

  test('every line item sums to the total', () => {
    for (const e of [hmlEstimate, prodEstimate]) {
      expect(e.lineItems.reduce((n, l) => n + l.monthlyUsd, 0)).toBeCloseTo(e.monthlyUsd, 10);
    }
  });
});
