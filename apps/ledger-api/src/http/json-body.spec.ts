import { findDuplicateKey } from './json-body';

describe('findDuplicateKey', () => {
  it('finds nothing in objects whose keys are unique at every level', () => {
    expect(findDuplicateKey('{"a":1,"b":{"a":2,"c":[{"a":3},{"a":4}]},"s":"{\\"a\\":1,\\"a\\":2}"}')).toBeUndefined();
    expect(findDuplicateKey('[1,2,{"x":[]}]')).toBeUndefined();
    expect(findDuplicateKey('"text"')).toBeUndefined();
  });

  it('names the path of a repeated key at any depth, as invalid-input errors do', () => {
    expect(findDuplicateKey('{"points":1,"points":1000}')).toBe('points');
    expect(findDuplicateKey('{"settings":{"rules":[{"points":1},{"points":2,"points":3}]}}')).toBe('settings.rules[1].points');
    expect(findDuplicateKey('[{"a":1},{"b":1,"b":2}]')).toBe('[1].b');
  });

  it('compares keys decoded: an escaped spelling is the same key', () => {
    expect(findDuplicateKey('{"points":1,"\\u0070oints":1000}')).toBe('points');
  });

  it('does not quote a key that is not a plain name back', () => {
    expect(findDuplicateKey('{"a@b.example":1,"a@b.example":2}')).toBe('*');
  });

  it('walks 20,000 levels of nesting without recursion', () => {
    expect(findDuplicateKey(`${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`)).toBeUndefined();
    expect(findDuplicateKey(`${'['.repeat(20_000)}{"k":1,"k":2}${']'.repeat(20_000)}`)).toBe(`${'[0]'.repeat(20_000)}.k`);
  });
});
