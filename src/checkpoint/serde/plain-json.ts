/** Deeper values are not treated as plain JSON (this also stops at cycles). */
const MAX_DEPTH = 64;

/**
 * JSON.stringify calls a toJSON even when it is not enumerable (or is set on the array itself);
 * JsonPlusSerializer writes any object with lg_name "Send" as a Send.
 */
const serializesAsIs = (value: object) => typeof (value as { toJSON?: unknown }).toJSON !== 'function' && !('lg_name' in value);

const isPlainObject = (value: object) => Object.getPrototypeOf(value) === Object.prototype && serializesAsIs(value);

/** An array JSON.stringify writes item by item. */
export const isPlainArray = (value: unknown): value is unknown[] =>
  Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype && serializesAsIs(value);

/**
 * True when `value` is plain JSON data: null, strings, booleans, numbers, and arrays and plain
 * objects of those (no `undefined` anywhere, no class instances). JSON.stringify writes such a value
 * exactly as LangGraph's JsonPlusSerializer does.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object' || depth > MAX_DEPTH) return false;
  if (isPlainArray(value)) {
    for (let i = 0; i < value.length; i++) if (!isPlainJson(value[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(value) || !isPlainObject(value as object)) return false;
  // Own keys only, as JSON.stringify (a key added to Object.prototype is not the value's).
  for (const key of Object.keys(value as object)) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/**
 * True when `value` is plain JSON equal to `plain` (itself plain JSON), keys in the same order: then
 * both serialize to the same text.
 */
export function samePlainJson(value: unknown, plain: unknown): boolean {
  if (value === plain) return typeof value !== 'object' || value === null;
  if (typeof value !== 'object' || typeof plain !== 'object' || value === null || plain === null) return false;
  if (isPlainArray(plain)) {
    if (!isPlainArray(value) || value.length !== plain.length) return false;
    for (let i = 0; i < plain.length; i++) if (!samePlainJson(value[i], plain[i])) return false;
    return true;
  }
  if (Array.isArray(value) || !isPlainObject(value)) return false;
  const keys = Object.keys(value);
  const plainKeys = Object.keys(plain);
  if (keys.length !== plainKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== plainKeys[i] || !samePlainJson((value as Record<string, unknown>)[keys[i]], (plain as Record<string, unknown>)[keys[i]])) return false;
  }
  return true;
}

/** A deep copy of plain JSON data. */
export function clonePlainJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clonePlainJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = clonePlainJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/** The items of `text` (a JSON array), when they are canonical JSON (see below); else undefined. */
export function canonicalItems(text: string): unknown[] | undefined {
  const items: unknown = JSON.parse(text);
  return isPlainArray(items) && isCanonicalJson(items) ? items : undefined;
}

/**
 * Plain JSON that reads back as itself: JSON.parse(JSON.stringify(value)) equals it, and
 * JsonPlusSerializer reads its text with nothing revived. So numbers are finite and not -0, and no
 * key is "lc" (the marker of the records it revives) or "__proto__".
 */
export function isCanonicalJson(value: unknown, depth = 0): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      if (depth > MAX_DEPTH) return false;
      if (isPlainArray(value)) {
        for (let i = 0; i < value.length; i++) if (!isCanonicalJson(value[i], depth + 1)) return false;
        return true;
      }
      if (Array.isArray(value) || !isPlainObject(value)) return false;
      for (const key of Object.keys(value)) {
        if (key === 'lc' || key === '__proto__' || !isCanonicalJson((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    default:
      return false;
  }
}
