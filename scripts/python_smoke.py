"""Synthesizes ProteomicsPlatform from the built Python wheel, the way a Python user would.

Run by scripts/python-smoke.sh inside a fresh virtualenv that holds only the wheel and what it
depends on, plus cdk-nag (not a dependency of the library: a user who wants the compliance packs
installs it). Fails (non-zero exit) on any assertion.
"""

import os

import aws_cdk as cdk
import cdk_proteomics_platform as platform
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks

os.environ.setdefault("CDK_VALIDATION", "false")  # the example's synth runs the validator
ENV = cdk.Environment(account="123456789012", region="us-east-1")
AZS = {"availability-zones:account=123456789012:region=us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c"]}


def check_compliance(scope):
    """The three packs run over scope, read by the library (its README's way, without a synth)."""
    packs = [AwsSolutionsChecks(), HIPAASecurityChecks(), NIST80053R5Checks()]
    return platform.ComplianceChecks.summarize(scope, [pack.validate_scope(scope) for pack in packs])


passed = 0
# hml egresses through one NAT instance (cheaper than a gateway), prod through a gateway per AZ.
for stage, nat_gateways, nat_instances, mfa in (
    (platform.PlatformStage.HML, 0, 1, "OPTIONAL"),
    (platform.PlatformStage.PROD, 3, 0, "ON"),
):
    app = cdk.App(context=AZS)
    stack = cdk.Stack(app, f"Smoke-{stage.name}", env=ENV)
    built = platform.ProteomicsPlatform(stack, "Platform", stage=stage)
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::EC2::NatGateway", nat_gateways)
    template.resource_count_is("AWS::EC2::Instance", nat_instances)
    template.resource_count_is("AWS::StepFunctions::StateMachine", 1)
    template.resource_count_is("AWS::EKS::Cluster", 1)
    template.has_resource_properties("AWS::Cognito::UserPool", {"MfaConfiguration": mfa})
    assert built.pipeline.state_machine is not None and built.database.cluster is not None
    result = check_compliance(stack)
    assert len(result.findings) == 0, platform.ComplianceChecks.format(result)
    resources = len(template.to_json()["Resources"])
    assert resources < 500, resources
    passed += 1
    print(f"{stage.name}: {resources} resources, {len(result.acknowledged)} acknowledged findings, 0 open")

# Zero props outside us-east-1 (the first team using it works in sa-east-1) and with no env: no throw, no
# CloudFront web ACL that could only deploy in us-east-1, a regional one on the ALB instead.
for region in ("sa-east-1", None):
    context = {f"availability-zones:account=123456789012:region={region}": [f"{region}a", f"{region}b", f"{region}c"]} if region else {}
    app = cdk.App(context=context)
    env = cdk.Environment(account="123456789012", region=region) if region else None
    stack = cdk.Stack(app, f"Zero-{region or 'agnostic'}", env=env)
    platform.ProteomicsPlatform(stack, "Platform")
    template = Template.from_stack(stack)
    scopes = [r["Properties"]["Scope"] for r in template.find_resources("AWS::WAFv2::WebACL").values()]
    assert scopes == ["REGIONAL"], scopes
    template.resource_count_is("AWS::WAFv2::WebACLAssociation", 1)
    result = check_compliance(stack)
    assert len(result.findings) == 0, platform.ComplianceChecks.format(result)
    passed += 1
    print(f"zero props in {region or 'a stack with no env'}: synthesized, regional web ACL on the ALB, 0 open findings")

try:
    platform.PlatformNetwork(cdk.Stack(cdk.App(), "Bad"), "Network", max_azs=5)
    raise AssertionError("an invalid prop was accepted")
except Exception as error:  # jsii surfaces the construct's Error as a RuntimeError
    assert "maxAzs = 5" in str(error), error
    passed += 1

print(f"python smoke: {passed} passed, 0 failed")
