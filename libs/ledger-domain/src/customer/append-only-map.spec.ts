import { AppendOnlyMap } from './append-only-map';

describe('AppendOnlyMap', () => {
  it('sets and updates values; every version keeps what it saw', () => {
    const empty = AppendOnlyMap.empty<number>();
    const one = empty.set('a', 1);
    const two = one.set('b', 2);
    const updated = two.set('a', 10);
    expect([empty.get('a'), one.get('a'), two.get('a'), updated.get('a')]).toEqual([undefined, 1, 1, 10]);
    expect([one.has('b'), two.has('b'), updated.get('b')]).toEqual([false, true, 2]);
  });

  it('writing to an older version branches without changing the newer one', () => {
    const base = AppendOnlyMap.empty<string>().set('a', 'x');
    const left = base.set('a', 'left');
    const right = base.set('a', 'right').set('c', 'c');
    expect([base.get('a'), left.get('a'), right.get('a'), left.has('c'), right.get('c')]).toEqual(['x', 'left', 'right', false, 'c']);
    expect(left.set('d', 'd').get('a')).toBe('left');
    expect(right.get('a')).toBe('right');
  });

  it('agrees with a plain Map over a random history of writes and branches', () => {
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const versions: { map: AppendOnlyMap<number>; model: Map<string, number> }[] = [{ map: AppendOnlyMap.empty(), model: new Map() }];
    for (let i = 0; i < 600; i++) {
      const from = versions[random(versions.length)]!;
      const key = `k${random(50)}`;
      const next = { map: from.map.set(key, i), model: new Map(from.model).set(key, i) };
      versions.push(next);
    }
    for (const { map, model } of versions) for (let k = 0; k < 50; k++) expect(map.get(`k${k}`)).toBe(model.get(`k${k}`));
  });
});
