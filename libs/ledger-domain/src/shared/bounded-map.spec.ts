import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('keeps entries up to its limit, then starts again empty for the next new key', () => {
    const map = new BoundedMap<number, string>(3);
    for (const n of [1, 2, 3]) map.set(n, `v${n}`);
    expect([...map.keys()]).toEqual([1, 2, 3]);
    map.set(4, 'v4');
    expect([...map.entries()]).toEqual([[4, 'v4']]);
  });

  it('updates a key it holds without clearing, even when full', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3);
    expect(Object.fromEntries(map)).toEqual({ a: 3, b: 2 });
  });
});
