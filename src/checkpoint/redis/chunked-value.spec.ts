import type { CachedBlob } from './blob-cache';
import { BlobCache } from './blob-cache';
import { CHUNKED, MAX_CHUNKS, planChunked, readChunked } from './chunked-value';

const FIELD = '\0messages\0';
/** What Redis would hold after writing these plans in order. */
const store = (...plans: ReturnType<typeof planChunked>[]) => {
  const hash = new Map<string, string>();
  for (const { pairs } of plans) for (let i = 0; i < pairs.length; i += 2) hash.set(pairs[i], pairs[i + 1]);
  return hash;
};

describe('chunked values', () => {
  it('writes a value afresh in one chunk, then a grown one as one chunk more built on it', () => {
    const first = planChunked(`${FIELD}1`, 'json', '["a","b"]');
    expect(first.builtOn).toBeUndefined();
    const second = planChunked(`${FIELD}2`, 'json', '["a","b","c"]', first.cached);
    expect(second.builtOn).toEqual([`${FIELD}1`, first.cached!.index]);
    expect(second.pairs.filter((_, i) => i % 2 === 1)).toEqual([',"c"', second.cached!.index]);
    const hash = store(first, second);
    expect(readChunked(`${FIELD}2`, hash.get(`${FIELD}2`)!, hash).data).toBe('["a","b","c"]');
    expect(readChunked(`${FIELD}1`, hash.get(`${FIELD}1`)!, hash).data).toBe('["a","b"]');
    expect(hash.get(`${FIELD}2`)!.startsWith(CHUNKED)).toBe(true);
  });

  it.each([
    ['an earlier item changed', '["a","x","c"]'],
    ['another type', '{"a":1}'],
    ['more added than kept', '["a","b","c","d","e","f","g","h","i"]'],
  ])('writes afresh when %s', (_name, data) => {
    const first = planChunked(`${FIELD}1`, 'json', '["a","b"]');
    const next = planChunked(`${FIELD}2`, 'json', data, first.cached);
    expect(next.builtOn).toBeUndefined();
    const hash = store(first, next);
    expect(readChunked(`${FIELD}2`, hash.get(`${FIELD}2`)!, hash).data).toBe(data);
  });

  it(`starts afresh after ${MAX_CHUNKS} chunks`, () => {
    let plan = planChunked(`${FIELD}0`, 'json', `[${'"x",'.repeat(200)}"x"]`);
    const plans = [plan];
    for (let n = 1; n <= MAX_CHUNKS + 1; n++) {
      plan = planChunked(`${FIELD}${n}`, 'json', `${plan.cached!.body},${n}]`, plan.cached);
      plans.push(plan);
      expect(plan.cached!.chunkIds.length).toBeLessThanOrEqual(MAX_CHUNKS);
    }
    expect(plans.filter((p) => !p.builtOn)).toHaveLength(2);
    const hash = store(...plans);
    expect(readChunked(plan.cached!.field, hash.get(plan.cached!.field)!, hash).data).toBe(plan.cached!.data);
  });

  it('refuses to read an index whose chunk is missing', () => {
    const plan = planChunked(`${FIELD}1`, 'json', '["a"]');
    expect(() => readChunked(`${FIELD}1`, plan.cached!.index, new Map())).toThrow(/misses its chunk/);
  });
});

describe('BlobCache', () => {
  const blob = (field: string, chars: number): CachedBlob => ({ field, index: '', header: '', type: 'json', closer: '', data: 'x'.repeat(chars), body: '', chunkIds: [] });

  it('keeps one value per channel and thread, and forgets the threads used least recently beyond its budget', () => {
    const cache = new BlobCache(100);
    cache.set('t1', 'c', blob('v1', 40));
    cache.set('t1', 'c', blob('v2', 40));
    expect(cache.entries('t1').map((b) => b.field)).toEqual(['v2']);
    cache.set('t2', 'c', blob('v1', 40));
    cache.entries('t1'); // t1 used last: t2 goes first
    cache.set('t3', 'c', blob('v1', 40));
    expect([cache.latest('t1', 'c')?.field, cache.latest('t2', 'c'), cache.latest('t3', 'c')?.field]).toEqual(['v2', undefined, 'v1']);
    cache.set('t4', 'c', blob('huge', 101));
    expect(cache.latest('t4', 'c')).toBeUndefined();
  });
});
