import { setup } from './global-temp-dir';

export default setup;
