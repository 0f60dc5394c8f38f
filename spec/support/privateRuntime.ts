/**
 * A private runtime folder (XDG_RUNTIME_DIR) for the arbiters a spec file
 * starts in this process, so that their control sockets and registry
 * entries never meet a real arbiter's.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Point XDG_RUNTIME_DIR at a new temporary folder.
 * @param prefix - the folder's name prefix.
 * @returns a function that restores XDG_RUNTIME_DIR and removes the folder
 *   (call it after the arbiters stopped).
 */
export function privateRuntime(prefix: string): () => void {
  const saved = process.env['XDG_RUNTIME_DIR'];
  const runtime = mkdtempSync(join(tmpdir(), prefix));
  process.env['XDG_RUNTIME_DIR'] = runtime;
  return () => {
    if (saved === undefined) delete process.env['XDG_RUNTIME_DIR'];
    else process.env['XDG_RUNTIME_DIR'] = saved;
    rmSync(runtime, { recursive: true, force: true });
  };
}
