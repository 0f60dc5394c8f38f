import { expect } from 'chai';
import { FileRun } from '../../../lib/apps/test/FileRun.js';
import { ReportOrder } from '../../../lib/apps/test/ReportOrder.js';
import type { FileJob } from '../../../lib/apps/test/wire.js';

function run(file: string): FileRun {
  const job: FileJob = { id: 1, file, setupFiles: [], options: {} };
  return new FileRun(job, `aid-${file}`);
}

describe('ReportOrder', () => {
  let reported: string[];
  let order: ReportOrder;

  beforeEach(() => {
    reported = [];
    order = new ReportOrder((event, r) => reported.push(`${r.file}:${event.name}`));
  });

  describe('event()', () => {
    it('should report the live file at once and keep the others until it ends', () => {
      const a = run('a');
      const b = run('b');
      order.started(a);
      order.started(b);
      order.event(b, { name: 'test' });
      order.event(a, { name: 'test' });
      expect(reported).to.deep.equal(['a:test']);
      order.event(a, { name: 'test end' });
      order.ended(a);
      expect(reported).to.deep.equal(['a:test', 'a:test end', 'b:test']);
      order.event(b, { name: 'test end' });
      expect(reported.at(-1)).to.equal('b:test end');
    });
  });

  describe('ended()', () => {
    it('should report the files that finished meanwhile before the next live one', () => {
      const [a, b, c] = [run('a'), run('b'), run('c')];
      order.started(a);
      order.started(b);
      order.started(c);
      order.event(b, { name: 'b1' });
      order.event(c, { name: 'c1' });
      order.ended(c);
      order.ended(a);
      expect(reported).to.deep.equal(['c:c1', 'b:b1']);
    });
  });

  describe('drain()', () => {
    it('should report everything kept', () => {
      const [a, b] = [run('a'), run('b')];
      order.started(a);
      order.started(b);
      order.event(b, { name: 'b1' });
      order.drain();
      expect(reported).to.deep.equal(['b:b1']);
    });
  });
});
