"""Synthesizes the library from its built Python wheel, the way a Python user would use it.

Run by scripts/python-smoke.sh inside a fresh virtualenv that holds only the wheel and what it
depends on. Fails (non-zero exit) on any assertion.
"""

import aws_cdk as cdk
from aws_cdk.assertions import Template

import cdk_proteomics_platform as platform

ENV = cdk.Environment(account="123456789012", region="eu-west-1")
AZS = {"availability-zones:account=123456789012:region=eu-west-1": ["eu-west-1a", "eu-west-1b", "eu-west-1c"]}

passed = 0
for stage, nat_gateways in ((platform.PlatformStage.HML, 1), (platform.PlatformStage.PROD, 3)):
    app = cdk.App(context=AZS)
    stack = cdk.Stack(app, f"Smoke-{stage.name}", env=ENV)
    network = platform.PlatformNetwork(stack, "Network", stage=stage)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::NatGateway", nat_gateways)
    assert len(network.vpc.availability_zones) == (2 if stage.name == "hml" else 3)
    result = platform.ComplianceChecks.check(stack)
    assert len(result.findings) == 0, platform.ComplianceChecks.format(result)
    assert len(result.acknowledged) > 0
    passed += 1
    print(f"{stage.name}: {len(template.to_json()['Resources'])} resources, "
          f"{len(result.acknowledged)} acknowledged findings, 0 open")

try:
    platform.PlatformNetwork(cdk.Stack(cdk.App(), "Bad"), "Network", max_azs=5)
    raise AssertionError("an invalid prop was accepted")
except Exception as error:  # jsii surfaces the construct's Error as a RuntimeError
    assert "maxAzs = 5" in str(error), error
    passed += 1

print(f"python smoke: {passed} passed, 0 failed")
