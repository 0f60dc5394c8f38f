// A sample spec file: CPU-bound tests, the kind a parallel run speeds up.
import assert from 'node:assert';

function isPrime(n: number): boolean {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return n > 1;
}

describe('primes', () => {
  it('finds the 5000th prime', () => {
    let count = 0;
    let n = 1;
    while (count < 5000) if (isPrime(++n)) count++;
    assert.strictEqual(n, 48611);
  });

  it('knows 1 is not prime', () => {
    assert.strictEqual(isPrime(1), false);
  });
});
