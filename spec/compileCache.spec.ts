/**
 * The runtime files' code cache (lib/compileCache.cts), in fresh nodes
 * without source maps (the specs run with them, and Node's loader then runs
 * the bodies): made where it is used, checked before V8 sees it.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { childLoadsFresh } from './support/childLoads.js';

const lib = fileURLToPath(new URL('../lib/', import.meta.url));

interface Loaded {
  cache: string;
  /** The message of a second `callback()` of a Deferred, and the frame that threw it. */
  message: string;
  frame: string;
  /** How RxJS's files were compiled (each file's `codeCache`, once each: lib/modulePack.ts). */
  rx: string[];
  /** The message of a closed Subject's `next()`, and the frame that threw it. */
  rxMessage: string;
  rxFrame: string;
}

/**
 * Load a runtime file in a fresh node and fire a Deferred twice.
 * @param folder - the package's `dist/lib` (or a copy).
 * @param env - added to the environment (`RXPULSAR_COMPILE_CACHE`...).
 * @param flags - node's flags.
 */
function load(
  folder: string,
  env: Record<string, string>,
  flags: string[] = [],
  how: { exit?: boolean; note?: string; cwd?: string; thread?: boolean } = {},
): Promise<Loaded> {
  const runtime = join(folder, 'runtime.cjs');
  const script =
    `const r = require(${JSON.stringify(runtime)}); const d = new r.m$async$Deferred$Deferred();` +
    ' d.callback(1); let message = "", frame = "";' +
    ' try { d.callback(2) } catch (e) { message = e.message; frame = e.stack.split("\\n")[1] }' +
    ' const s = new r.m$rx$Subject(); s.unsubscribe(); let rxMessage = "", rxFrame = "";' +
    ' try { s.next(1) } catch (e) { rxMessage = e.message; rxFrame = e.stack.split("\\n")[1] }' +
    ' const rx = [...new Set(Object.entries(require.cache).filter(([f]) => f.includes("rxjs")).map(([, m]) => m.codeCache))];' +
    ` console.log(JSON.stringify({ cache: require.cache[${JSON.stringify(runtime)}].codeCache, message, frame, rx, rxMessage, rxFrame }));` +
    (how.exit === true ? ' process.exit(0);' : '') +
    (how.note === undefined ? '' : ` // ${how.note}`);
  // In a thread that gets no flags (as a thread actor without the flags a
  // thread refuses), of a process that loaded the runtime first (its arbiter).
  const inThread =
    `require(${JSON.stringify(runtime)});` +
    ` new (require('node:worker_threads').Worker)(${JSON.stringify(script)}, { eval: true, execArgv: [] })`;
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  delete base['NODE_V8_COVERAGE'];
  delete base['RXPULSAR_COMPILE_CACHE'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...flags, '-e', how.thread === true ? inThread : script],
      { env: { ...base, ...env }, timeout: 30_000, cwd: how.cwd },
      (err, stdout, stderr) =>
        err
          ? reject(new Error(`${err.message}\n${stderr}`))
          : resolve(JSON.parse(stdout) as Loaded),
    );
  });
}

/**
 * Run a `-e` script in a fresh node without source maps nor coverage.
 * @param env - added to the environment (`RXPULSAR_COMPILE_CACHE`).
 * @returns the JSON it printed.
 */
function printed(script: string, env: Record<string, string>): Promise<unknown> {
  const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', ...env };
  delete base['NODE_V8_COVERAGE'];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      { env: base, timeout: 30_000 },
      (err, out, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(out) as unknown),
    );
  });
}

/** The cache files of `folder`, and anything else in it. */
const filesOf = (folder: string): string[] => readdirSync(folder).sort();

describe('the runtime code cache', function () {
  this.timeout(60_000);
  let work: string;
  let caches: string;
  let env: Record<string, string>;
  /** Copies of the package's files, as an install puts them (beside the build: RxJS found from there). */
  const installs: string[] = [];
  const install = (): string => {
    const dir = mkdtempSync(join(lib, '..', '.installed-'));
    installs.push(dir);
    cpSync(lib, join(dir, 'lib'), { recursive: true });
    return join(dir, 'lib');
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'rxp-cache-spec-'));
    caches = join(work, 'caches');
    env = { RXPULSAR_COMPILE_CACHE: caches };
  });

  afterEach(() => {
    chmodSync(work, 0o700);
    rmSync(work, { recursive: true, force: true });
    for (const dir of installs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('should compile from source and write its cache (a private folder made for it), then compile from the cache', async () => {
    const first = await load(lib, env);
    expect(first.cache).to.equal('none');
    expect(first.message).to.equal('Deferred already called');
    // RxJS's files too (lib/modulePack.ts), in one file.
    expect(first.rx).to.deep.equal(['none']);
    expect(first.rxMessage).to.equal('object unsubscribed');
    expect(statSync(caches).mode & 0o777).to.equal(0o700);
    const files = filesOf(caches);
    expect(files).to.have.length(2);
    expect(files[0]).to.match(/^runtime\.body-[0-9a-f]+\.v8$/);
    expect(files[1]).to.match(/^rxjs-[0-9a-f]+\.v8$/);
    for (const file of files) expect(statSync(join(caches, file)).mode & 0o777).to.equal(0o600);
    const second = await load(lib, env);
    expect(second).to.deep.equal({ ...first, cache: 'accepted', rx: ['accepted'] });
    // A frame of RxJS names its file, from the cache as from source.
    expect(second.rxFrame).to.match(/\/rxjs\/dist\/cjs\/internal\/[\w/]+\.js:\d+:\d+\)$/);
    expect(filesOf(caches)).to.deep.equal(files);
  });

  it('should compile an edited RxJS file from source, the others from the pack, and a damaged pack not at all', async () => {
    // An install with its own RxJS (its package.json and CommonJS build).
    const copy = install();
    const rxjs = join(copy, '..', 'node_modules', 'rxjs');
    cpSync(
      join(lib, '..', '..', 'node_modules', 'rxjs', 'package.json'),
      join(rxjs, 'package.json'),
    );
    cpSync(
      join(lib, '..', '..', 'node_modules', 'rxjs', 'dist', 'cjs'),
      join(rxjs, 'dist', 'cjs'),
      {
        recursive: true,
      },
    );
    await load(copy, env);
    const fromPack = await load(copy, env);
    expect(fromPack.rx).to.deep.equal(['accepted']);
    expect(fromPack.rxFrame).to.contain(join(rxjs, 'dist', 'cjs', 'internal'));
    // One pack per RxJS install: the copy's and the build's are two files.
    await load(lib, env);
    expect(filesOf(caches).filter((f) => f.startsWith('rxjs-'))).to.have.length(2);
    const errorFile = join(rxjs, 'dist', 'cjs', 'internal', 'util', 'ObjectUnsubscribedError.js');
    const source = readFileSync(errorFile, 'utf8');
    const edited = source.replace("'object unsubscribed'", "'OBJECT unsubscribed'");
    expect(edited.length).to.equal(source.length);
    writeFileSync(errorFile, edited);
    const afterEdit = await load(copy, env);
    expect(afterEdit.rxMessage).to.equal('OBJECT unsubscribed');
    expect(afterEdit.rx).to.have.members(['accepted', 'none']);
    expect((await load(copy, env)).rx).to.deep.equal(['accepted']);
    // A pack damaged in the middle: every file from source, no crash, written again.
    const pack = filesOf(caches)
      .map((f) => join(caches, f))
      .find((f) => /\/rxjs-/.test(f) && readFileSync(f).includes(rxjs))!;
    const whole = readFileSync(pack);
    const middle = Math.floor(whole.length / 2);
    for (let i = middle; i < middle + 64; i++) whole[i] = whole[i]! ^ 0xff;
    writeFileSync(pack, whole);
    const overDamaged = await load(copy, env);
    expect(overDamaged.rx).to.deep.equal(['none']);
    expect(overDamaged.rxMessage).to.equal('OBJECT unsubscribed');
    expect((await load(copy, env)).rx).to.deep.equal(['accepted']);
    // A whole pack (its data's CRC-32 right) whose head is not what a pack
    // writes: nothing used, nothing thrown, written again.
    const sound = readFileSync(pack);
    const end = sound.indexOf(10);
    const head = JSON.parse(sound.toString('utf8', 0, end)) as Record<string, unknown>;
    const entries = head['entries'] as [string, number, number][];
    const lengths = entries.map(([file, source, length]) => [file, source, length + 1]);
    for (const odd of [{}, null, 'x', [['a', 1]], [[1, 2, 3]], lengths]) {
      const edited = JSON.stringify({ ...head, entries: odd });
      writeFileSync(pack, Buffer.concat([Buffer.from(`${edited}\n`), sound.subarray(end + 1)]));
      expect((await load(copy, env)).rx, JSON.stringify(odd)).to.deep.equal(['none']);
    }
    writeFileSync(pack, Buffer.concat([Buffer.from('null\n'), sound.subarray(end + 1)]));
    expect((await load(copy, env)).rx).to.deep.equal(['none']);
    expect((await load(copy, env)).rx).to.deep.equal(['accepted']);
  });

  it("should name an install's own files in a stack frame, from a cache made there (a copy elsewhere)", async () => {
    const copy = install();
    await load(lib, env);
    await load(copy, env);
    const fromCache = await load(copy, env);
    expect(fromCache.cache).to.equal('accepted');
    expect(fromCache.frame).to.contain(join(copy, 'runtime.body.cjs'));
    // One cache per install: the copy's is not the build's (one RxJS: one pack).
    expect(filesOf(caches).filter((f) => f.startsWith('runtime.body-'))).to.have.length(2);
    expect(filesOf(caches).filter((f) => f.startsWith('rxjs-'))).to.have.length(1);
    // And the package ships none.
    expect(readdirSync(lib).filter((f) => /\.(v8|cache)$/.test(f))).to.deep.equal([]);
  });

  it('should compile an edited body from source (an edit of the same length), and cache it again', async () => {
    const copy = install();
    await load(copy, env);
    expect((await load(copy, env)).cache).to.equal('accepted');
    const body = join(copy, 'runtime.body.cjs');
    const source = readFileSync(body, 'utf8');
    const edited = source.replace('"Deferred already called"', '"Deferred ALREADY called"');
    expect(edited.length).to.equal(source.length);
    writeFileSync(body, edited);
    const after = await load(copy, env);
    expect(after).to.include({ cache: 'none', message: 'Deferred ALREADY called' });
    expect((await load(copy, env)).cache).to.equal('accepted');
  });

  it('should compile from source over a damaged or truncated cache (V8 would crash on it), and write it again', async () => {
    await load(lib, env);
    const file = join(caches, filesOf(caches)[0]!);
    const whole = readFileSync(file);
    const damaged = Buffer.from(whole);
    const middle = Math.floor(whole.length / 2);
    for (let i = middle; i < middle + 64; i++) damaged[i] = damaged[i]! ^ 0xff;
    writeFileSync(file, damaged);
    const overDamaged = await load(lib, env);
    expect(overDamaged).to.include({ cache: 'none', message: 'Deferred already called' });
    expect(readFileSync(file).equals(damaged)).to.equal(false);
    expect((await load(lib, env)).cache).to.equal('accepted');
    writeFileSync(file, whole.subarray(0, whole.length - 100));
    expect((await load(lib, env)).cache).to.equal('none');
    writeFileSync(file, 'not a cache');
    expect((await load(lib, env)).cache).to.equal('none');
    expect(filesOf(caches).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('should use no folder that others can write to, nor a link to one', async () => {
    await load(lib, env);
    const files = filesOf(caches);
    const [file] = files;
    chmodSync(caches, 0o777);
    const open = await load(lib, env);
    expect(open.cache).to.equal('none');
    chmodSync(caches, 0o700);
    // A link to the very folder: not taken, nothing written through it.
    const link = join(work, 'link');
    symlinkSync(caches, link);
    const before = statSync(join(caches, file!)).mtimeMs;
    const linked = await load(lib, { RXPULSAR_COMPILE_CACHE: link });
    expect(linked.cache).to.equal('none');
    expect(linked.rx).to.deep.equal(['none']);
    expect(filesOf(caches)).to.deep.equal(files);
    expect(statSync(join(caches, file!)).mtimeMs).to.equal(before);
  });

  it("should be off with RXPULSAR_COMPILE_CACHE=off, and leave the body to Node's loader under source maps, coverage or a -r hook", async () => {
    const off = await load(lib, { RXPULSAR_COMPILE_CACHE: 'off' });
    expect(off).to.include({ cache: 'off', rxMessage: 'object unsubscribed' });
    expect(off.rx).to.deep.equal(['off']);
    expect((await load(lib, env, ['--enable-source-maps'])).cache).to.equal('node');
    const coverage = join(work, 'coverage');
    expect((await load(lib, { ...env, NODE_V8_COVERAGE: coverage })).cache).to.equal('node');
    const hook = join(work, 'hook.cjs');
    writeFileSync(hook, '// a preload, as nyc or an APM agent installs one\n');
    expect((await load(lib, env, ['-r', hook])).cache).to.equal('node');
    // None of them wrote a cache.
    expect(() => readdirSync(caches)).to.throw(/ENOENT/);
  });
  it('should never fail a process for a cache it cannot write: a file, a name too long, a relative folder', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'not a folder');
    expect((await load(lib, { RXPULSAR_COMPILE_CACHE: file })).cache).to.equal('none');
    expect(readFileSync(file, 'utf8')).to.equal('not a folder');
    const long = join(work, 'x'.repeat(300));
    expect((await load(lib, { RXPULSAR_COMPILE_CACHE: long })).cache).to.equal('none');
    // A relative folder would be another one in each working folder: off.
    const cwd = join(work, 'cwd');
    mkdirSync(cwd);
    const relative = await load(lib, { RXPULSAR_COMPILE_CACHE: 'caches' }, [], { cwd });
    expect(relative.cache).to.equal('off');
    expect(readdirSync(cwd)).to.deep.equal([]);
  });

  it("should use no folder of another user's (runs as root only: it gives the folder away)", async function () {
    if (process.getuid?.() !== 0) this.skip();
    await load(lib, env);
    const files = filesOf(caches);
    const [file] = files;
    chownSync(caches, 65534, 65534);
    try {
      const before = statSync(join(caches, file!)).mtimeMs;
      expect((await load(lib, env)).cache).to.equal('none');
      expect(filesOf(caches)).to.deep.equal(files);
      expect(statSync(join(caches, file!)).mtimeMs).to.equal(before);
    } finally {
      chownSync(caches, 0, 0);
    }
  });

  it("should keep a cache for each of V8's flag sets (a thread runs under its process's), and one for any -e script", async () => {
    const bigHeap = ['--max-old-space-size=4096'];
    await load(lib, env);
    // A thread without the flag runs under its process's: a cache of its own.
    // (Its process's own cache may be written before the thread reads it.)
    expect((await load(lib, env, bigHeap, { thread: true })).cache).to.be.oneOf([
      'none',
      'accepted',
    ]);
    expect((await load(lib, env, bigHeap, { thread: true })).cache).to.equal('accepted');
    expect((await load(lib, env, bigHeap)).cache).to.equal('accepted');
    expect((await load(lib, env)).cache).to.equal('accepted');
    expect((await load(lib, env, [], { note: 'another script' })).cache).to.equal('accepted');
    expect(filesOf(caches).filter((f) => f.startsWith('runtime.body-'))).to.have.length(2);
  });

  it("should give an actor's child caches of its own, made once its actor runs (with what its start ran)", async () => {
    const bodies = (): { file: string; size: number }[] =>
      filesOf(caches)
        .filter((f) => f.startsWith('runtime.body-'))
        .map((file) => ({ file, size: statSync(join(caches, file)).size }));
    // An arbiter's (a script's): what the body's run compiled.
    await load(lib, env);
    const [lean] = bodies();
    for (const kind of ['thread', 'process'] as const) {
      await childLoadsFresh(kind, env);
      const again = await childLoadsFresh(kind, env);
      expect(again.codeCache).to.deep.equal({
        'runtime.cjs': 'accepted',
        [`runtime-${kind}.cjs`]: 'accepted',
        rxjs: 'accepted',
      });
    }
    // The thread's and the process's, each larger: it holds their start too.
    const all = bodies();
    expect(all).to.have.length(3);
    for (const { file, size } of all) if (file !== lean!.file) expect(size).to.be.above(lean!.size);
    // The arbiters' own is untouched by them.
    expect(all.find(({ file }) => file === lean!.file)?.size).to.equal(lean!.size);
  });

  it("should write an actor's child's caches while its actor runs, not at its end", async () => {
    // Only a thread loads runtime-thread.cjs: its cache is the thread's.
    const script =
      `import(${JSON.stringify(join(lib, 'index.js'))}).then(async ({ arbiter, spawn }) => {` +
      ' const { readdirSync } = await import("node:fs");' +
      ' await arbiter({ signals: false, control: false }).start();' +
      " const actor = await spawn({ name: 'cached', concurrency: 'thread', commands: { alive: () => true } });" +
      ' let seen = false;' +
      ` for (let i = 0; i < 500 && !seen; i++) { seen = readdirSync(${JSON.stringify(caches)}).some((f) => f.startsWith("runtime-thread.body-") && f.endsWith(".v8")); await new Promise((r) => setTimeout(r, 20)); }` +
      " console.log(JSON.stringify({ seen, running: await actor.send('alive') }));" +
      ' await actor.stop(); await arbiter().stop();' +
      '});';
    expect(await printed(script, env)).to.deep.equal({ seen: true, running: true });
  });

  it('should wait to write its caches with one exit listener, whatever their number', async () => {
    const files = ['runtime', 'runtime-lib', 'runtime-thread', 'runtime-process'].map((f) =>
      JSON.stringify(join(lib, `${f}.cjs`)),
    );
    const script =
      'const before = process.listenerCount("exit");' +
      files.map((f) => ` require(${f});`).join('') +
      ' console.log(JSON.stringify({ added: process.listenerCount("exit") - before }));';
    const count = (): Promise<unknown> => printed(script, env);
    // Four bodies and RxJS's pack to write: one listener.
    expect(await count()).to.deep.equal({ added: 1 });
    expect(filesOf(caches).filter((f) => f.endsWith('.v8'))).to.have.length(5);
    // Nothing to write: none.
    expect(await count()).to.deep.equal({ added: 0 });
  });

  it('should write its cache at exit when the process ends in its first turn', async () => {
    expect((await load(lib, env, [], { exit: true })).cache).to.equal('none');
    expect((await load(lib, env, [], { exit: true })).cache).to.equal('accepted');
  });

  it('should keep the newest caches of its folder, and remove what a writer killed midway left', async () => {
    mkdirSync(caches, { mode: 0o700 });
    const old = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < 140; i++) {
      const name = join(caches, `old-${String(i).padStart(3, '0')}.v8`);
      writeFileSync(name, 'stale');
      utimesSync(name, old, new Date(old.getTime() + i * 1000));
    }
    writeFileSync(join(caches, 'dead.v8.1-x.tmp'), 'half');
    utimesSync(join(caches, 'dead.v8.1-x.tmp'), old, old);
    writeFileSync(join(caches, 'live.v8.2-y.tmp'), 'being written');
    await load(lib, env);
    const files = filesOf(caches);
    expect(files.filter((f) => f.endsWith('.v8'))).to.have.length(128);
    expect(files.some((f) => /^runtime\.body-/.test(f))).to.equal(true);
    // The newest of the old ones are kept.
    expect(files).to.include('old-139.v8').and.not.include('old-000.v8');
    expect(files.filter((f) => f.endsWith('.tmp'))).to.deep.equal(['live.v8.2-y.tmp']);
  });
});
