process.env.CDK_VALIDATION = 'false'; // unit tests; the summary synth keeps validation on
