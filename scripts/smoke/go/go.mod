module github.com/biotech-x/cdk-proteomics-platform/smoke

go 1.26

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v2.275.0
	github.com/aws/jsii-runtime-go v1.143.0
)
