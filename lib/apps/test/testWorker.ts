/**
 * The module every worker of a {@link TestSuite} imports: it builds the
 * worker side of the app whose name the worker was spawned with, which
 * then answers the arbiter's file jobs.
 * @module
 */
import { getSpawnContext } from '../../actor/current.js';
import { TestSuite } from './TestSuite.js';

const app = getSpawnContext()?.cfg['app'];
if (typeof app === 'string') new TestSuite({ name: app });
