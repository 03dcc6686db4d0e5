import { App } from 'aws-cdk-lib';
import { ComplianceChecks } from 'cdk-proteomics-platform';
import { buildApp } from './app';

// `cdk synth` / `cdk deploy` entry point: the three compliance packs are registered, so any
// unacknowledged finding stops the synth.
const app = new App();
buildApp(app);
ComplianceChecks.register(app);
app.synth();
