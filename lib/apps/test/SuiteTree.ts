/**
 * The suite tree of the parent runner: the suites, tests and hooks the
 * workers report, under the run's root suite, as a serial run builds it
 * before it starts. Reporters that walk `runner.suite` (mochawesome at
 * `end`) see the tests of every file: each test is placed when it ends,
 * and when a suite ends its worker sends the suite's whole lists (tests a
 * failed hook skipped, hooks in their order), which replace what was placed.
 * @module
 */

/** mocha's id property of serialized runnables and suites. */
const ID = '__mocha_id__';

/** A suite of the tree: mocha's `Suite` fields that reporters walk. */
export interface TreeSuite {
  title: string;
  root?: boolean;
  file?: string;
  parent?: unknown;
  suites: TreeSuite[];
  tests: unknown[];
  _beforeAll: unknown[];
  _beforeEach: unknown[];
  _afterEach: unknown[];
  _afterAll: unknown[];
}

/**
 * What a worker sends with `suite end`: the suite's lists, each runnable
 * serialized; a child suite that never began (no test of it ran) comes with
 * its own members.
 */
export interface SuiteMembers {
  suites: { data: unknown; members?: SuiteMembers }[];
  tests: unknown[];
  _beforeAll: unknown[];
  _beforeEach: unknown[];
  _afterEach: unknown[];
  _afterAll: unknown[];
}

const HOOK_LISTS = ['_beforeAll', '_beforeEach', '_afterEach', '_afterAll'] as const;
const HOOK_PREFIXES: Record<string, (typeof HOOK_LISTS)[number]> = {
  '"before all" hook': '_beforeAll',
  '"before each" hook': '_beforeEach',
  '"after each" hook': '_afterEach',
  '"after all" hook': '_afterAll',
};

type Node = Record<string, unknown>;

/**
 * The tree of one run.
 *
 * @example
 * ```ts
 * const tree = new SuiteTree(runner.suite, (data) => link(data), (data) => deserialize(data));
 * tree.root(rootId);              // a worker's root suite: the run's
 * tree.place('suite', suite, file);
 * tree.place('test end', test, file);
 * tree.finish(suite, members, file); // at its `suite end`
 * ```
 */
export class SuiteTree {
  private readonly roots = new Set<string>();
  private readonly placed = new WeakSet<object>();

  /**
   * @param top - the run's root suite (`runner.suite`).
   * @param link - returns the one object of a deserialized runnable (by mocha id).
   * @param revive - deserializes a runnable as a worker serialized it.
   */
  constructor(
    private readonly top: TreeSuite,
    private readonly link: (data: unknown) => unknown,
    private readonly revive: (data: unknown) => unknown,
  ) {
    for (const list of ['suites', 'tests', ...HOOK_LISTS] as const) top[list] ??= [];
  }

  /** @param id - the mocha id of a worker's root suite: its members are the run root's. */
  root(id: string): void {
    this.roots.add(id);
  }

  /**
   * Place what an event reports, under its parent.
   * @param event - the event's name.
   * @param item - the suite, test or hook (linked).
   * @param file - its spec file.
   */
  place(event: string, item: unknown, file: string): void {
    if (typeof item !== 'object' || item === null) return;
    const node = item as Node;
    const parent = this.parentOf(node);
    if (parent === undefined) return;
    node['parent'] = parent;
    if (this.placed.has(node)) return;
    if (event === 'suite') {
      for (const list of ['suites', 'tests', ...HOOK_LISTS] as const) node[list] ??= [];
      node['file'] ??= file;
      parent.suites.push(node as unknown as TreeSuite);
    } else if (event === 'test end') {
      parent.tests.push(node);
    } else if (event === 'hook') {
      this.addHook(parent, node);
    } else {
      return;
    }
    this.placed.add(node);
  }

  /**
   * A suite ended: its lists become the worker's (complete, in order).
   * @param suite - the suite (linked), or a worker's root suite's data.
   * @param members - its lists, as the worker serialized them.
   * @param file - its spec file.
   */
  finish(suite: unknown, members: SuiteMembers, file: string): void {
    const node = suite as Node;
    const isRoot = this.roots.has(node[ID] as string) || suite === this.top;
    const target = isRoot ? this.top : (node as unknown as TreeSuite);
    if (!Array.isArray(target.tests)) return;
    const suites = members.suites.map(({ data, members: own }) => {
      const known = this.placed.has(this.link(this.revive(data)) as Node);
      const child = this.adopt(data, target) as unknown as TreeSuite;
      if (!known) {
        // It never began (nothing of it ran): it joins the tree now, whole.
        for (const list of ['suites', 'tests', ...HOOK_LISTS] as const) child[list] ??= [];
        child.file ??= file;
        if (own !== undefined) this.finish(child, own, file);
      }
      return child;
    });
    const tests = members.tests.map((t) => this.adopt(t, target));
    if (isRoot) {
      // Each file's root-level suites and tests join the run's, once.
      for (const child of suites) if (!target.suites.includes(child)) target.suites.push(child);
      for (const test of tests) if (!target.tests.includes(test)) target.tests.push(test);
      for (const list of HOOK_LISTS) {
        for (const hook of members[list]) this.addHook(target, this.adopt(hook, target));
      }
      return;
    }
    target.suites = suites;
    target.tests = tests;
    for (const list of HOOK_LISTS) target[list] = members[list].map((h) => this.adopt(h, target));
  }

  private adopt(data: unknown, parent: TreeSuite): Node {
    const node = this.link(this.revive(data)) as Node;
    node['parent'] = parent;
    this.placed.add(node);
    return node;
  }

  /** A hook joins its list once (root hooks: once per title, not once per file). */
  private addHook(parent: TreeSuite, hook: Node): void {
    const title = typeof hook['title'] === 'string' ? hook['title'] : '';
    const prefix = Object.keys(HOOK_PREFIXES).find((p) => title.startsWith(p));
    const list = parent[HOOK_PREFIXES[prefix ?? ''] ?? '_beforeAll'];
    if (list.includes(hook)) return;
    if (parent === this.top) {
      const base = (t: unknown): string => String(t).replace(/ for ".*"$/s, '');
      if (list.some((h) => base((h as Node)['title']) === base(title))) return;
    }
    list.push(hook);
  }

  private parentOf(node: Node): TreeSuite | undefined {
    const parent = node['parent'];
    if (typeof parent !== 'object' || parent === null) return undefined;
    if (parent === this.top || this.roots.has((parent as Node)[ID] as string)) return this.top;
    return Array.isArray((parent as Node)['suites']) ? (parent as TreeSuite) : undefined;
  }
}
