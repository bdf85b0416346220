import { randomBytes } from 'node:crypto';
import type { CachedBlob } from './blob-cache';
import { SEP } from './thread-keys';

/**
 * Channel values worth caching are stored in chunks: the blob field holds a short index
 * "\x02<nonce>\0<type>\0<closer>\0<chunk id>\0…", each chunk its part of the serialized text, and
 * the value is the chunks in order, then <closer> (the closing bracket of a JSON array or object).
 * A list that grew by a few items is then stored as one more chunk: the earlier chunks are shared
 * with the version it grew from, so a turn neither sends nor stores the history again.
 */
export const CHUNKED = '\x02';

/** Chunks per value before it is written afresh in one: bounds a cold read and an index. */
export const MAX_CHUNKS = 32;

/** A blob to write: field/value pairs, the index it builds on (if any), and what the cache then holds. */
export interface PlannedBlob {
  channelKey: string;
  pairs: string[];
  /** (blob field, index) that must still be stored as is, else the write is refused (STALEBASE) */
  builtOn?: [string, string];
  cached?: CachedBlob;
}

// Unique per write across processes: a random process id and a counter.
const PROCESS_ID = randomBytes(6).toString('base64url');
let writes = 0;
const nextNonce = () => PROCESS_ID + (writes++).toString(36);

/** "<ns>\0<channel>" of a blob field "<ns>\0<channel>\0<version>". */
export const channelKeyOf = (field: string) => field.slice(0, field.lastIndexOf(SEP));

const chunkField = (channelKey: string, id: string) => channelKey + SEP + CHUNKED + id;

const CLOSERS = new Set([']', '}']);

/** A value known to be `base`'s text with `tail` appended before its closing bracket. */
export interface KnownExtension {
  base: CachedBlob;
  tail: string;
}

/**
 * How to store `data` (serde type `type`) in `field`: in chunks, as one more chunk of `base` when
 * it extends base's text by a little (`known`, or found by comparing the texts), else afresh.
 * `items`: the private copy the cache keeps with it, if any.
 */
export function planChunked(field: string, type: string, data: string, base?: CachedBlob, items?: readonly unknown[], known?: KnownExtension): PlannedBlob {
  const channelKey = channelKeyOf(field);
  const nonce = nextNonce();
  const extension =
    known && known.base === base && base.chunkIds.length < MAX_CHUNKS ? known : base && !known ? textExtension(base, type, data) : undefined;
  const closer = extension ? extension.base.closer : CLOSERS.has(data[data.length - 1]) ? data[data.length - 1] : '';
  const body = extension ? extension.base.body + extension.tail : closer ? data.slice(0, -1) : data;
  const chunkIds = extension ? (extension.tail ? [...extension.base.chunkIds, nonce] : extension.base.chunkIds) : [nonce];
  const header = CHUNKED + nonce + SEP + type + SEP;
  const index = header + closer + SEP + chunkIds.join(SEP);
  const chunk = extension ? extension.tail : body;
  return {
    channelKey,
    pairs: [...(chunk || !extension ? [chunkField(channelKey, nonce), chunk] : []), field, index],
    ...(extension ? { builtOn: [extension.base.field, extension.base.index] as [string, string] } : {}),
    cached: { field, index, header, type, closer, data, body, chunkIds, ...(items ? { items } : {}) },
  };
}

/** How `data` extends `base`'s text: base's chunks, then a short tail, then the same closer. */
function textExtension(base: CachedBlob, type: string, data: string): KnownExtension | undefined {
  if (base.type !== type || base.chunkIds.length >= MAX_CHUNKS) return undefined;
  const { body, closer } = base;
  if (data.length < body.length + closer.length || data.length - body.length > data.length / 2) return undefined;
  if (!data.endsWith(closer) || data.slice(0, body.length) !== body) return undefined;
  return { base, tail: data.slice(body.length, data.length - closer.length) };
}

/** The value of the index stored in `field`, from the chunk texts read with it (by chunk field). */
export function readChunked(field: string, index: string, chunks: Map<string, string>): CachedBlob {
  const [nonce, type, closer, ...chunkIds] = index.split(SEP);
  const channelKey = channelKeyOf(field);
  const body = chunkIds
    .map((id) => {
      const text = chunks.get(chunkField(channelKey, id));
      if (text === undefined) throw new Error(`checkpoint value ${JSON.stringify(field)} misses its chunk ${id}`);
      return text;
    })
    .join('');
  return { field, index, header: nonce + SEP + type + SEP, type, closer, data: body + closer, body, chunkIds };
}
