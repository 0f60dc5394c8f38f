/**
 * The `exit$` contract every WorkerHandle keeps (process and thread alike),
 * as one set of specs each runtime's spec file runs with its own `start`.
 */
import { expect } from 'chai';
import type { ExitInfo, WorkerHandle } from '../../lib/concurrency/WorkerHandle.js';
import type { RawData } from '../fixtures/raw/childData.js';
import { within } from './waiting.js';

/**
 * @param start - starts the `exit-with` fixture with its data.
 * @param kind - `child` or `thread`, for the messages.
 */
export function exitContract(
  start: (name: string, data: RawData) => WorkerHandle,
  kind: string,
): void {
  const exitOf = (worker: WorkerHandle): Promise<ExitInfo> =>
    within(
      new Promise<ExitInfo>((resolve) => worker.exit$.subscribe(resolve)),
      5000,
      `the ${kind} did not exit`,
    );

  it(`should emit once how the ${kind} exited, then complete`, async () => {
    const worker = start('exit-with', { exitCode: 0 });
    const seen: ExitInfo[] = [];
    const completed = new Promise<void>((resolve) =>
      worker.exit$.subscribe({ next: (e) => seen.push(e), complete: resolve }),
    );
    await within(completed, 5000, 'exit$ did not complete');
    expect(seen).to.deep.equal([{ exitCode: 0, signal: null }]);
    expect(worker.exited).to.equal(true);
  });

  it('should replay the exit to a late subscriber', async () => {
    const worker = start('exit-with', { exitCode: 5 });
    await exitOf(worker);
    const late: ExitInfo[] = [];
    let completed = false;
    worker.exit$.subscribe({ next: (e) => late.push(e), complete: () => (completed = true) });
    expect(late).to.deep.equal([{ exitCode: 5, signal: null }]);
    expect(completed).to.equal(true);
  });

  it('should keep its pid and thread id after the exit', async () => {
    const worker = start('exit-with', { exitCode: 0 });
    const { pid, threadId } = worker;
    await exitOf(worker);
    expect([worker.pid, worker.threadId]).to.deep.equal([pid, threadId]);
  });
}
