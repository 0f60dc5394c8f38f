import { expect } from 'chai';
import * as rxjs from 'rxjs';
import * as rx from '../lib/rx.js';

describe('rx', () => {
  describe('load()', () => {
    it('should give the very classes and functions rxjs exports (its files, by their folder)', () => {
      expect(rx.Observable).to.equal(rxjs.Observable);
      expect(rx.Subject).to.equal(rxjs.Subject);
      expect(rx.ReplaySubject).to.equal(rxjs.ReplaySubject);
      expect(rx.AsyncSubject).to.equal(rxjs.AsyncSubject);
      expect(rx.Subscription).to.equal(rxjs.Subscription);
      expect(rx.UnsubscriptionError).to.equal(rxjs.UnsubscriptionError);
      expect(rx.firstValueFrom).to.equal(rxjs.firstValueFrom);
      expect(new rx.Subject<number>().pipe(rxjs.map((x) => x))).to.be.instanceOf(rxjs.Observable);
    });
  });
});
