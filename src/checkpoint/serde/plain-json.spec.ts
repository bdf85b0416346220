import { clonePlainJson, isCanonicalJson, isPlainJson, samePlainJson } from './plain-json';

class Point {
  x = 1;
}
const withHiddenToJSON = Object.defineProperty({ a: 1 }, 'toJSON', { value: () => 'other', enumerable: false });

describe('plain JSON', () => {
  it.each([
    ['nested data', { a: [1, 'x', null, true, { b: [] }] }, true, true],
    ['NaN, -0 and Infinity: plain, but they do not read back as themselves', [NaN, -0, Infinity], true, false],
    ['an "lc" key: revived by JsonPlusSerializer', { lc: 2, type: 'undefined' }, true, false],
    ['a "__proto__" key', JSON.parse('{"__proto__": {"x": 1}}'), true, false],
    ['undefined inside', { a: undefined }, false, false],
    ['a class instance', [new Point()], false, false],
    ['a Date', [new Date(0)], false, false],
    ['an object whose hidden toJSON changes its text', [withHiddenToJSON], false, false],
    ['an object shaped like a Send', { lg_name: 'Send', node: 'n', args: {} }, false, false],
    ['a null-prototype object', Object.create(null), false, false],
  ])('%s: plain %s, canonical %s', (_name, value, plain, canonical) => {
    expect(isPlainJson(value)).toBe(plain);
    expect(isCanonicalJson(value)).toBe(canonical);
    if (canonical) expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
  });

  it('calls two values the same only when they serialize to the same text', () => {
    const plain = { a: 1, b: [{ c: 'x' }] };
    expect(samePlainJson(JSON.parse(JSON.stringify(plain)), plain)).toBe(true);
    expect(samePlainJson({ b: [{ c: 'x' }], a: 1 }, plain)).toBe(false); // key order
    expect(samePlainJson({ a: 1, b: [{ c: 'y' }] }, plain)).toBe(false);
    expect(samePlainJson({ a: 1, b: [{ c: 'x' }, 2] }, plain)).toBe(false);
    expect(samePlainJson(Object.assign(new Point(), plain), plain)).toBe(false);
    expect(samePlainJson(Object.defineProperty({ ...plain }, 'toJSON', { value: () => 1 }), plain)).toBe(false);
    expect(samePlainJson([NaN], [NaN])).toBe(false);
  });

  it('copies deeply', () => {
    const value = { a: [{ b: 1 }], c: 'x' };
    const copy = clonePlainJson(value);
    expect(copy).toStrictEqual(value);
    expect(copy.a[0]).not.toBe(value.a[0]);
  });
});
