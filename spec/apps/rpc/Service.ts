/** A JSON-RPC service for the specs: inherited, overridden, async, failing and `_private` methods. */
import { JsonRpcError } from '../../../lib/index.js';

export class Base {
  greet(name: string): string {
    return `hello ${name}`;
  }

  kind(): string {
    return 'base';
  }

  _secret(): string {
    return 'hidden';
  }
}

export class Service extends Base {
  readonly notified: unknown[] = [];

  override kind(): string {
    return 'service';
  }

  add(a: number, b: number): number {
    return a + b;
  }

  async double(n: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return n * 2;
  }

  describe(person: { name: string; age: number }): string {
    return `${person.name} is ${person.age}`;
  }

  nothing(): void {}

  self(): boolean {
    return this instanceof Service;
  }

  fail(): never {
    throw new Error('kaboom');
  }

  broke(): never {
    throw new JsonRpcError(4001, 'Not enough credit', { balance: 3 });
  }

  strict(n: unknown): number {
    if (typeof n !== 'number') {
      throw new JsonRpcError(JsonRpcError.INVALID_PARAMS, 'Invalid params: a number expected');
    }
    return n;
  }

  big(): bigint {
    return 10n;
  }

  notify(value: unknown): void {
    this.notified.push(value);
  }
}
