import { teardown } from './global-temp-dir';

export default teardown;
