import { expect } from 'chai';
import { appSettings, loadConfig, type ApplicationConfig, type Schema } from '../../lib/index.js';
import { schemaConfig } from '../../lib/config/schemaConfig.js';
import { standardSettings } from '../../lib/config/settings.js';

describe('schemaConfig()', () => {
  describe('check()', () => {
    it('should coerce and keep a valid value, and refuse a bad one keeping the last valid', () => {
      const config = schemaConfig(appSettings);
      expect(config.check('timeout', '2 s')).to.deep.equal({ ok: true, value: 2000 });
      expect(config.check('workers', 'many')).to.deep.equal({
        ok: false,
        expected: 'must be an integer >= 0',
      });
      expect(config.check('concurrency', 'fiber')).to.have.property('ok', false);
      const values = config.values();
      expect(values.timeout).to.equal(2000);
      expect(values.workers).to.equal(1);
      expect(values.concurrency).to.equal('process');
    });

    it("should judge a value by its own setting only, not another's bad one", () => {
      const schema = {
        broken: { doc: 'A bad default.', format: 'count', default: 'x' },
        fine: { doc: 'A good one.', format: 'count', default: 1 },
      } as const satisfies Schema;
      const config = schemaConfig(schema);
      expect(config.check('fine', '3')).to.deep.equal({ ok: true, value: 3 });
      expect(config.check('broken', 'x')).to.have.property('ok', false);
    });
  });

  describe('values()', () => {
    it('should give the merged values typed from the schema', () => {
      const { values } = loadConfig({
        schema: standardSettings,
        env: { RXPULSAR_WORKERS: '3' },
        argv: ['--concurrency', 'thread', '--no-debug'],
      });
      // Typed: these assignments compile without a cast.
      const workers: number = values.workers;
      const concurrency: 'process' | 'thread' = values.concurrency;
      const minWorkers: number | null = values.minWorkers;
      const debug: boolean = values.debug;
      const cfg: ApplicationConfig = values;
      expect([workers, concurrency, minWorkers, debug]).to.deep.equal([3, 'thread', null, false]);
      expect(cfg.period).to.equal(1000);
    });
  });
});
