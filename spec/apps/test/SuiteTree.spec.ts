import { expect } from 'chai';
import { SuiteTree, type TreeSuite } from '../../../lib/apps/test/SuiteTree.js';

const ID = '__mocha_id__';

function emptySuite(title: string): TreeSuite {
  return {
    title,
    suites: [],
    tests: [],
    _beforeAll: [],
    _beforeEach: [],
    _afterEach: [],
    _afterAll: [],
  };
}

describe('SuiteTree', () => {
  let top: TreeSuite;
  let tree: SuiteTree;
  let objects: Map<string, Record<string, unknown>>;

  /** As the parent runner links: one object per mocha id, its parent linked. */
  const link = (data: unknown): unknown => {
    const record = data as Record<string, unknown>;
    const parent = record['parent'] as Record<string, unknown> | undefined;
    if (parent?.[ID] !== undefined) record['parent'] = link(parent);
    const id = record[ID] as string;
    const known = objects.get(id);
    if (known === undefined) objects.set(id, record);
    return known === undefined ? record : Object.assign(known, record);
  };

  beforeEach(() => {
    top = emptySuite('');
    objects = new Map();
    tree = new SuiteTree(top, link, (data) => ({ ...(data as object) }));
    tree.root('root-a');
  });

  describe('place()', () => {
    it('should put suites, tests and hooks under their parent as they are reported', () => {
      const suite = link({ [ID]: 's1', title: 'one', parent: { [ID]: 'root-a' } });
      tree.place('suite', suite, 'a.spec.js');
      const hook = link({
        [ID]: 'h1',
        title: '"before each" hook for "t"',
        parent: { [ID]: 's1' },
      });
      tree.place('hook', hook, 'a.spec.js');
      const test = link({ [ID]: 't1', title: 't', state: 'passed', parent: { [ID]: 's1' } });
      tree.place('test', test, 'a.spec.js');
      expect(top.suites[0]!.tests).to.deep.equal([]);
      tree.place('test end', test, 'a.spec.js');
      const [one] = top.suites;
      expect(one).to.equal(suite);
      expect(one!.parent).to.equal(top);
      expect(one!.file).to.equal('a.spec.js');
      expect(one!.tests).to.deep.equal([test]);
      expect(one!._beforeEach).to.deep.equal([hook]);
      expect((test as { parent: unknown }).parent).to.equal(one);
    });
  });

  describe('finish()', () => {
    it("should take a suite's whole lists, tests that never ran and suites that never began included", () => {
      const suite = link({ [ID]: 's1', title: 'one', parent: { [ID]: 'root-a' } });
      tree.place('suite', suite, 'a.spec.js');
      const ran = link({ [ID]: 't1', title: 'ran', state: 'passed', parent: { [ID]: 's1' } });
      tree.place('test end', ran, 'a.spec.js');
      tree.finish(
        suite,
        {
          suites: [
            {
              data: { [ID]: 's2', title: 'empty', parent: { [ID]: 's1' } },
              members: {
                suites: [],
                tests: [],
                _beforeAll: [],
                _beforeEach: [],
                _afterEach: [],
                _afterAll: [],
              },
            },
          ],
          tests: [
            { [ID]: 't1', title: 'ran', state: 'passed', parent: { [ID]: 's1' } },
            { [ID]: 't2', title: 'skipped by a hook', parent: { [ID]: 's1' } },
          ],
          _beforeAll: [{ [ID]: 'h1', title: '"before all" hook', parent: { [ID]: 's1' } }],
          _beforeEach: [],
          _afterEach: [],
          _afterAll: [],
        },
        'a.spec.js',
      );
      const [one] = top.suites;
      expect(one!.tests.map((t) => (t as { title: string }).title)).to.deep.equal([
        'ran',
        'skipped by a hook',
      ]);
      expect(one!.tests[0]).to.equal(ran);
      expect(one!.suites.map((s) => s.title)).to.deep.equal(['empty']);
      expect(one!.suites[0]!.parent).to.equal(one);
      expect(one!._beforeAll).to.have.length(1);
    });

    it("should add each file's root-level tests to the run's root, and its root hooks once", () => {
      tree.root('root-b');
      const members = (root: string): Parameters<SuiteTree['finish']>[1] => ({
        suites: [],
        tests: [{ [ID]: `t-${root}`, title: `test of ${root}`, parent: { [ID]: root } }],
        _beforeAll: [],
        _beforeEach: [
          { [ID]: `h-${root}`, title: '"before each" hook: root', parent: { [ID]: root } },
        ],
        _afterEach: [],
        _afterAll: [],
      });
      tree.finish({ [ID]: 'root-a', root: true }, members('root-a'), 'a.spec.js');
      tree.finish({ [ID]: 'root-b', root: true }, members('root-b'), 'b.spec.js');
      expect(top.tests.map((t) => (t as { title: string }).title)).to.deep.equal([
        'test of root-a',
        'test of root-b',
      ]);
      expect(top._beforeEach).to.have.length(1);
      expect((top.tests[1] as { parent: unknown }).parent).to.equal(top);
    });
  });
});
