import { runOpSuite } from '../helpers/harness.js';
import { specs } from './specs/elementwise.js';

runOpSuite('elementwise', specs);
