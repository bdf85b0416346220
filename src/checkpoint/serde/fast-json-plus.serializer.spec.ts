import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { FastJsonPlusSerializer } from './fast-json-plus.serializer';

const reference = new JsonPlusSerializer();
const fast = new FastJsonPlusSerializer();
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/** What a read gives: the value, or the error it throws. */
const outcome = (read: () => Promise<unknown>) => read().then((value) => ({ value }), (err: Error) => ({ error: err.message }));

/** Same value, same classes, and prototypes equal too (JsonPlusSerializer turns a "__proto__" key into one). */
function expectSame(got: { value?: unknown; error?: string }, want: { value?: unknown; error?: string }) {
  expect(got).toEqual(want);
  if (got.value && typeof got.value === 'object') {
    expect(got.value.constructor).toBe((want.value as object).constructor);
    const [gotProto, wantProto] = [Object.getPrototypeOf(got.value), Object.getPrototypeOf(want.value)];
    if (gotProto !== wantProto) expect(gotProto).toEqual(wantProto);
  }
}

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
let deep: unknown = 'bottom';
for (let i = 0; i < 100; i++) deep = [deep];

const VALUES: Array<[string, unknown]> = [
  ['null', null],
  ['a string with quotes, escapes and CJK', 'say "hi"\n\t\\ 你好 😀'],
  ['numbers, -0, NaN and Infinity', [0, -0, 1.5, -2e300, NaN, Infinity, -Infinity]],
  ['booleans', [true, false]],
  ['nested plain data', { messages: [{ type: 'human', content: 'hi' }], n: 2, meta: { a: [1, [2, { b: null }]] } }],
  ['an empty object and array', [{}, []]],
  ['undefined inside an object', { a: undefined, b: 1 }],
  ['undefined inside an array', [1, undefined, 3]],
  ['a sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['undefined', undefined],
  ['a Set and a Map', { s: new Set([1, 2]), m: new Map([['k', { v: 1 }]]) }],
  ['a Date', { at: new Date('2026-11-26T00:00:00Z') }],
  ['a RegExp and an Error', [/a+b/gi, new Error('boom')]],
  ['bytes inside an object', { b: new Uint8Array([1, 2, 255]) }],
  ['a class instance', { p: new Point(1, 2) }],
  ['an object with toJSON', { t: { toJSON: () => 'custom' } }],
  ['a null-prototype object', Object.assign(Object.create(null), { a: 1 })],
  ['data that looks like a LangChain record', { lc: 1, type: 'constructor', id: ['x'], kwargs: {} }],
  ['data with an lc: 2 undefined record', [{ lc: 2, type: 'undefined' }]],
  ['a plain object shaped like a Send', { lg_name: 'Send', node: 'n', args: { a: 1 }, extra: true }],
  ['an array shaped like a Send', Object.assign([1, 2], { lg_name: 'Send', node: 'n', args: { a: 1 } })],
  ['an array whose toJSON returns a Set', Object.defineProperty([1, 2], 'toJSON', { value: () => new Set([1, 2]) })],
  ['an array inside whose toJSON returns undefined', { list: [Object.defineProperty([1, 2], 'toJSON', { value: () => undefined })] }],
  ['a key named __proto__', JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')],
  ['LangChain messages', [new HumanMessage({ id: 'h', content: 'hi' }), new AIMessage({ id: 'a', content: '', tool_calls: [{ id: 't', name: 'calc', args: { x: 1 } }] }), new ToolMessage({ content: '2', tool_call_id: 't' })]],
  ['a cycle', circular],
  ['deeper than the fast path goes', deep],
];

describe('FastJsonPlusSerializer', () => {
  it.each(VALUES)('writes exactly what JsonPlusSerializer writes: %s', async (_name, value) => {
    const [type, bytes] = await fast.dumpsTyped(value);
    const [refType, refBytes] = await reference.dumpsTyped(value);
    expect([type, text(bytes)]).toEqual([refType, text(refBytes)]);
  });

  it.each(VALUES)('reads back exactly what JsonPlusSerializer reads back: %s', async (_name, value) => {
    const [type, bytes] = await reference.dumpsTyped(value);
    for (const data of [text(bytes), bytes]) {
      expectSame(await outcome(() => fast.loadsTyped(type, data)), await outcome(() => reference.loadsTyped(type, data)));
    }
  });

  it.each([
    ['a key hidden behind a \\u escape', '{"\\u006cc": 2, "type": "undefined"}'],
    ['a __proto__ key', '{"__proto__": {"x": 1}}'],
    ['an lc record written by another writer', '[{"lc":2,"type":"constructor","id":["Set"],"method":null,"args":[[1,2]],"kwargs":{}}]'],
    ['text that mentions "lc" in a string', '{"content": "the key \\"lc\\" is special", "n": [1, 2]}'],
  ])('reads stored JSON exactly as JsonPlusSerializer does: %s', async (_name, json) => {
    expectSame(await outcome(() => fast.loadsTyped('json', json)), await outcome(() => reference.loadsTyped('json', json)));
  });
});
