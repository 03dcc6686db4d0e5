/**
 * The EventBridge event the analysis state machine puts when an analysis ends (see
 * `contracts/completion-event.*`). The pipeline emits it; monitoring counts it. One definition, so
 * the two never drift apart.
 */
export const COMPLETION_EVENT_SOURCE = 'cdk-proteomics-platform';

/** The detail-type of the completion event. */
export const COMPLETION_EVENT_DETAIL_TYPE = 'Analysis Completed';
