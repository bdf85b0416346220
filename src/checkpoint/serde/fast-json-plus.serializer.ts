import { JsonPlusSerializer } from '@langchain/langgraph-checkpoint';
import { isPlainJson } from './plain-json';

/**
 * True when JsonPlusSerializer would give back exactly what JSON.parse(text) gives: no object in
 * the text has an `lc` key (the only records it revives), none is named `__proto__` (it rebuilds
 * objects by assignment, which treats that key differently), and no key hides behind a `\u` escape.
 */
const parsesAsIs = (text: string) => !text.includes('"lc"') && !text.includes('__proto__') && !text.includes('\\u');

const encoder = new TextEncoder();

/**
 * LangGraph's JsonPlusSerializer, byte for byte and value for value, with a fast path for plain
 * JSON data: it writes and reads such values with the engine's JSON alone. Anything else — class
 * instances (LangChain messages), Set, Map, Date, undefined, typed arrays, cycles — goes through
 * JsonPlusSerializer itself.
 */
export class FastJsonPlusSerializer extends JsonPlusSerializer {
  override async dumpsTyped(obj: unknown): Promise<[string, Uint8Array]> {
    if (isPlainJson(obj)) return ['json', encoder.encode(JSON.stringify(obj))];
    return super.dumpsTyped(obj);
  }

  override async loadsTyped(type: string, data: Uint8Array | string): Promise<unknown> {
    if (type === 'json' && typeof data === 'string' && parsesAsIs(data)) return JSON.parse(data);
    return super.loadsTyped(type, data);
  }
}
