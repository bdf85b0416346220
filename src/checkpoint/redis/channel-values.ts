import type { SerializerProtocol } from '@langchain/langgraph-checkpoint';
import { FastJsonPlusSerializer } from '../serde/fast-json-plus.serializer';
import { canonicalItems, clonePlainJson, isCanonicalJson, isPlainArray, samePlainJson } from '../serde/plain-json';
import { BlobCache, type CachedBlob } from './blob-cache';
import { CHUNKED, channelKeyOf, type KnownExtension, type PlannedBlob, planChunked, readChunked } from './chunked-value';
import { SEP } from './thread-keys';
import { decodeTyped, encodeTyped, splitFields } from './typed-text';

/** Values shorter than this are stored whole: chunks and caching would save too little. */
export const MIN_CHUNKED_CHARS = 1024;

/** A changed channel value, serialized, with a private copy of its items when it is a plain JSON list. */
export interface SerializedValue {
  field: string;
  type: string;
  data: string;
  /** a private copy, when the value is a canonical JSON list (see isCanonicalJson) */
  items?: readonly unknown[];
  /** how it extends the cached value it was built from */
  known?: KnownExtension;
}

const isCanonicalJsonArray = (value: unknown): value is unknown[] => isPlainArray(value) && isCanonicalJson(value);

/** The items `value` adds to `items`, when it starts with them (as plain JSON) and adds a few. */
function appendedTo(items: readonly unknown[], value: unknown): unknown[] | undefined {
  if (!isPlainArray(value) || value.length < items.length || value.length - items.length > value.length / 2) return undefined;
  for (let i = 0; i < items.length; i++) if (!samePlainJson(value[i], items[i])) return undefined;
  const added = value.slice(items.length);
  return isCanonicalJson(added) ? added : undefined;
}

/**
 * How RedisCheckpointSaver writes and reads channel values: short ones whole ("<type>\0<data>"),
 * long ones in chunks (chunked-value.ts) with this process's cache of each thread's latest values
 * (blob-cache.ts), and a plain-JSON list that grew appended without being serialized whole.
 */
export class ChannelValues {
  private readonly cache?: BlobCache;
  /** True when the serde writes plain JSON as JSON.stringify does, so grown lists can be appended. */
  private readonly appendsBuiltOn: boolean;

  constructor(
    private readonly serde: SerializerProtocol,
    cacheMegabytes: number,
    private readonly minChunkedChars: number,
  ) {
    if (cacheMegabytes > 0) this.cache = new BlobCache(cacheMegabytes * 1024 * 1024);
    this.appendsBuiltOn = !!this.cache && serde.constructor === FastJsonPlusSerializer;
  }

  /**
   * A changed value as text. A list that grew from the one this process last stored or read (its
   * first items equal, as plain JSON, to the cached copy) has only its new items serialized.
   */
  async serialize(threadId: string, field: string, value: unknown): Promise<SerializedValue> {
    const base = this.appendsBuiltOn ? this.cache?.latest(threadId, channelKeyOf(field)) : undefined;
    const added = base?.items && appendedTo(base.items, value);
    if (base && base.items && added) {
      const [type, text] = encodeTyped(await this.serde.dumpsTyped(added));
      // The items the serde wrote as a JSON array join the base's text, as JSON.stringify would.
      const tail = (base.items.length > 0 && added.length > 0 ? ',' : '') + text.slice(1, -1);
      if (type === base.type) {
        // The copy is read from the text written (a getter may answer differently the next time).
        const copy = canonicalItems(text);
        return { field, type, data: base.body + tail + base.closer, known: { base, tail }, ...(copy ? { items: [...base.items, ...copy] } : {}) };
      }
    }
    const [type, data] = encodeTyped(await this.serde.dumpsTyped(value));
    const worthCopying = this.appendsBuiltOn && type === 'json' && data.length >= this.minChunkedChars && isCanonicalJsonArray(value);
    const items = worthCopying ? canonicalItems(data) : undefined;
    return { field, type, data, ...(items ? { items } : {}) };
  }

  /** How one value is stored: whole when short (or without a cache), else in chunks, built on the cached value if `buildOnCache`. */
  plan(threadId: string, { field, type, data, items, known }: SerializedValue, buildOnCache: boolean): PlannedBlob {
    if (!this.cache || data.length < this.minChunkedChars) return { channelKey: '', pairs: [field, type + SEP + data] };
    const base = buildOnCache ? this.cache.latest(threadId, channelKeyOf(field)) : undefined;
    return planChunked(field, type, data, base, items, known);
  }

  /** After the write: the values stored in chunks become the thread's latest. */
  written(threadId: string, blobs: PlannedBlob[]): void {
    for (const { channelKey, cached } of blobs) if (cached) this.cache?.set(threadId, channelKey, cached);
  }

  /** The thread's values this process holds, by blob field: Redis is asked whether they are still stored. */
  held(threadId: string): Map<string, CachedBlob> {
    return new Map((this.cache?.entries(threadId) ?? []).map((blob) => [blob.field, blob]));
  }

  /**
   * A value from a GET reply: one held (Redis confirmed it), an index with its chunks, or a whole
   * value. A value of the latest checkpoint read in chunks is cached: the thread's next write
   * builds on it.
   */
  read(threadId: string, field: string, value: CachedBlob | string, chunks: Map<string, string>, latest: boolean): Promise<unknown> {
    if (typeof value !== 'string') {
      // A fresh copy of the private one is exactly what the serde would read from its text.
      return value.items ? Promise.resolve(clonePlainJson(value.items)) : this.loadsTyped(value.type, value.data);
    }
    if (!value.startsWith(CHUNKED)) return this.loadsTyped(...(splitFields(value, 2) as [string, string]));
    const blob = readChunked(field, value, chunks);
    if (latest) this.cache?.set(threadId, channelKeyOf(field), blob);
    return this.loadsTyped(blob.type, blob.data);
  }

  /** Drops what is held of the thread (deleted, or changed by another writer). */
  forget(threadId: string): void {
    this.cache?.forget(threadId);
  }

  loadsTyped(type: string, data: string): Promise<unknown> {
    return this.serde.loadsTyped(...decodeTyped(type, data));
  }
}
