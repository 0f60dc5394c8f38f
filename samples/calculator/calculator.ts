// The calculator served over JSON-RPC: a class whose public methods become
// remote methods, and the JsonRpc server built from an instance of it.
// server.ts listens; client.ts calls it.
import { JsonRpc, JsonRpcError } from '../../lib/index.js';

/** The application error code of a division by zero. */
export const DIVISION_BY_ZERO = 1;

/** Four operations and a sum; `_numbers` is private (its name starts with `_`). */
export class Calculator {
  add(a: number, b: number): number {
    this._numbers(a, b);
    return a + b;
  }

  subtract(a: number, b: number): number {
    this._numbers(a, b);
    return a - b;
  }

  multiply(a: number, b: number): number {
    this._numbers(a, b);
    return a * b;
  }

  divide(a: number, b: number): number {
    this._numbers(a, b);
    if (b === 0) throw new JsonRpcError(DIVISION_BY_ZERO, 'Division by zero', { dividend: a });
    return a / b;
  }

  sum(...numbers: number[]): number {
    this._numbers(...numbers);
    return numbers.reduce((total, n) => total + n, 0);
  }

  /** Parameters come from JSON: check them before trusting their types. */
  _numbers(...values: unknown[]): void {
    if (!values.every((value) => typeof value === 'number')) {
      throw new JsonRpcError(JsonRpcError.INVALID_PARAMS, 'Invalid params: numbers expected');
    }
  }
}

/** The JSON-RPC server of a Calculator; its `listener` serves HTTP. */
export const calculatorRpc = new JsonRpc(new Calculator(), { name: 'calculator' });
