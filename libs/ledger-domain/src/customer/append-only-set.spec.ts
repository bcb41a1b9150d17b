import { AppendOnlySet } from './append-only-set';

const contents = (set: AppendOnlySet, candidates: readonly string[]) => candidates.filter((id) => set.has(id));

describe('AppendOnlySet', () => {
  it('starts empty', () => {
    const empty = AppendOnlySet.empty();
    expect(empty.size).toBe(0);
    expect(empty.has('a')).toBe(false);
  });

  it('returns a new version on add and leaves the old one as it was', () => {
    const v0 = AppendOnlySet.empty();
    const v1 = v0.add('a');
    const v2 = v1.add('b');
    expect([v0.size, v1.size, v2.size]).toEqual([0, 1, 2]);
    expect(contents(v0, ['a', 'b'])).toEqual([]);
    expect(contents(v1, ['a', 'b'])).toEqual(['a']);
    expect(contents(v2, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('returns the same version when the id is already there', () => {
    const v1 = AppendOnlySet.empty().add('a').add('b');
    expect(v1.add('a')).toBe(v1);
    expect(v1.add('b').size).toBe(2);
  });

  it('branching from an older version never changes what other versions see', () => {
    const v1 = AppendOnlySet.empty().add('a');
    const main = v1.add('b');
    const branch = v1.add('c');
    const mainLater = main.add('d');
    const branchLater = branch.add('e').add('f');

    const all = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(contents(v1, all)).toEqual(['a']);
    expect(contents(main, all)).toEqual(['a', 'b']);
    expect(contents(mainLater, all)).toEqual(['a', 'b', 'd']);
    expect(contents(branch, all)).toEqual(['a', 'c']);
    expect(contents(branchLater, all)).toEqual(['a', 'c', 'e', 'f']);
    expect([v1.size, main.size, mainLater.size, branch.size, branchLater.size]).toEqual([1, 2, 3, 2, 4]);
  });

  it('branching from the empty set and from a middle version keeps every version intact', () => {
    const v0 = AppendOnlySet.empty();
    const v3 = v0.add('a').add('b').add('c');
    const fromEmpty = v0.add('x');
    const v2 = v0.add('a').add('b');
    const fromMiddle = v3.add('d');
    const all = ['a', 'b', 'c', 'd', 'x'];
    expect(contents(v0, all)).toEqual([]);
    expect(contents(fromEmpty, all)).toEqual(['x']);
    expect(contents(v2, all)).toEqual(['a', 'b']);
    expect(contents(v3, all)).toEqual(['a', 'b', 'c']);
    expect(contents(fromMiddle, all)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('lets two branches add the same id independently', () => {
    const v1 = AppendOnlySet.empty().add('a');
    const left = v1.add('b');
    const right = v1.add('b');
    expect(left.has('b')).toBe(true);
    expect(right.has('b')).toBe(true);
    expect(v1.has('b')).toBe(false);
    expect(left.add('c').has('c')).toBe(true);
    expect(right.has('c')).toBe(false);
  });

  it('does not see an id that a later version added before it was branched', () => {
    const v1 = AppendOnlySet.empty().add('a');
    v1.add('b'); // a later version now holds 'b' in the shared log
    const branch = v1.add('c');
    expect(branch.has('b')).toBe(false);
    expect(branch.add('b').has('b')).toBe(true);
    expect(branch.has('b')).toBe(false);
  });

  it('grows to a long history', () => {
    let set = AppendOnlySet.empty();
    for (let i = 0; i < 50_000; i++) set = set.add(`id-${i}`);
    expect(set.size).toBe(50_000);
    expect(set.has('id-0')).toBe(true);
    expect(set.has('id-49999')).toBe(true);
    expect(set.has('id-50000')).toBe(false);
  });
});
