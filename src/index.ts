export * from './stage/platform-stage';
export { ALLOW_DESTROY_CONTEXT_KEY } from './core/removal';
export * from './compliance/acknowledge';
export * from './compliance/compliance-checks';
export * from './compliance/deploy-checks';
export * from './network/platform-network-props';
export * from './network/platform-network';
