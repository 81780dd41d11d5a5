/** A seeded PRNG (mulberry32): the same seed gives the same run. */
export { prng as seededRandom } from '../../../../../core/testing/suite-harness.js';
