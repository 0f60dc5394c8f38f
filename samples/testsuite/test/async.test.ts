// A sample spec file: asynchronous tests and hooks.
import assert from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';

describe('async', () => {
  let ready = false;

  before(async () => {
    await sleep(50);
    ready = true;
  });

  it('waits for its hook', () => {
    assert.ok(ready);
  });

  it('awaits a timer', async () => {
    const started = Date.now();
    await sleep(100);
    assert.ok(Date.now() - started >= 90);
  });
});
