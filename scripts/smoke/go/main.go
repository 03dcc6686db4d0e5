// Command smoke synthesizes ProteomicsPlatform from the generated Go module, the way a Go user
// would: the same two stacks as scripts/smoke/typescript-app.js (hml and prod, one account,
// us-east-1 with three AZs in context). compare-counts.mjs then holds the cloud assembly it writes
// to the TypeScript one.
//
// Usage: go run . <outdir>
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	platform "github.com/biotech-x/cdk-proteomics-platform-go/cdkproteomicsplatform"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: smoke <outdir>")
		os.Exit(2)
	}
	defer jsii.Close()
	outdir := os.Args[1]
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(outdir),
		Context: &map[string]interface{}{
			"availability-zones:account=123456789012:region=us-east-1": []string{"us-east-1a", "us-east-1b", "us-east-1c"},
		},
	})
	env := &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("us-east-1")}
	stages := []struct {
		name  string
		stage platform.PlatformStage
	}{{"hml", platform.PlatformStage_HML()}, {"prod", platform.PlatformStage_PROD()}}
	for _, s := range stages {
		stack := awscdk.NewStack(app, jsii.String("Smoke-"+s.name), &awscdk.StackProps{Env: env})
		platform.NewProteomicsPlatform(stack, jsii.String("Platform"), &platform.ProteomicsPlatformProps{Stage: s.stage})
	}
	app.Synth(nil)
	fmt.Printf("go: synthesized Smoke-hml and Smoke-prod into %s\n", outdir)
}
