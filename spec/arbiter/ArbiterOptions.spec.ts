/**
 * `arbiter()` options: the arbiter's own are told apart from the hooks and
 * timeouts it has as an actor.
 */
import { expect } from 'chai';
import { actorParams, checkArbiterOptions } from '../../lib/arbiter/ArbiterOptions.js';

describe('ArbiterOptions', () => {
  describe('actorParams()', () => {
    it("should leave out every option of the arbiter's own and keep hooks and timeouts", () => {
      const start = (): void => undefined;
      const options = checkArbiterOptions({
        name: 'a',
        maxConnections: 8,
        maxMessageSize: 1 << 20,
        signals: false,
        gracefulTimeout: '2 s',
        onReload: () => undefined,
        control: false,
        controlName: 'c',
        metrics: null,
        hub: null,
        hubCert: null,
        hubKey: null,
        hubCa: null,
        hubSecretFile: null,
        spares: { thread: 0 },
        requestTimeout: '3 s',
        start,
      });
      expect(actorParams(options)).to.deep.equal({ requestTimeout: 3000, start });
    });
  });
});
