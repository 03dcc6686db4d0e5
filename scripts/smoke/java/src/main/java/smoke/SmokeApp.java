package smoke;

import io.github.biotechx.cdk.proteomics.PlatformStage;
import io.github.biotechx.cdk.proteomics.ProteomicsPlatform;
import io.github.biotechx.cdk.proteomics.ProteomicsPlatformProps;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/**
 * Synthesizes ProteomicsPlatform from the built jar, the way a Java user would: the same two stacks
 * as scripts/smoke/typescript-app.js (hml and prod, one account, us-east-1 with three AZs in
 * context). compare-counts.mjs then holds the cloud assembly it writes to the TypeScript one.
 */
public final class SmokeApp {
  private SmokeApp() {}

  public static void main(final String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: SmokeApp <outdir>");
    }
    App app = new App(AppProps.builder()
        .outdir(args[0])
        .context(Map.of("availability-zones:account=123456789012:region=us-east-1",
            List.of("us-east-1a", "us-east-1b", "us-east-1c")))
        .build());
    Environment env = Environment.builder().account("123456789012").region("us-east-1").build();
    Map<String, PlatformStage> stages = Map.of("hml", PlatformStage.HML, "prod", PlatformStage.PROD);
    for (Map.Entry<String, PlatformStage> stage : stages.entrySet()) {
      Stack stack = new Stack(app, "Smoke-" + stage.getKey(), StackProps.builder().env(env).build());
      new ProteomicsPlatform(stack, "Platform", ProteomicsPlatformProps.builder().stage(stage.getValue()).build());
    }
    app.synth();
    System.out.println("java: synthesized Smoke-hml and Smoke-prod into " + args[0]);
  }
}
