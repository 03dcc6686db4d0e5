// Unit tests turn off aws-cdk-lib's built-in CloudFormation validator (~3 s per synth); the
// example app's synth keeps it on, where it is a real check.
process.env.CDK_VALIDATION = 'false';
