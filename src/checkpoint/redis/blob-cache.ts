/**
 * A channel value stored in chunks, as this process wrote or read it. Its index — a nonce unique to
 * the write, the serde type, the closing bracket and the chunk ids — identifies the exact text in
 * Redis, so Redis can be asked "is it still this one?" instead of sending it, and a new value that
 * extends it is stored as one more chunk.
 */
export interface CachedBlob {
  /** blob field: "<ns>\0<channel>\0<version>" */
  field: string;
  /** the whole index, as stored in the blob field */
  index: string;
  /** the index up to the closing bracket: "\x02<nonce>\0<type>\0" */
  header: string;
  type: string;
  /** the closing bracket the index stores after the chunks ('' when none) */
  closer: string;
  /** the serialized value */
  data: string;
  /** `data` without its closer (what the chunks hold) */
  body: string;
  chunkIds: string[];
  /**
   * A private copy of the value when it is an array of plain JSON whose text is JSON.stringify's:
   * a new value that starts with these items is then recognised without serializing it whole.
   * Never handed out, never changed.
   */
  items?: readonly unknown[];
}

/** What an entry costs against the budget: its text, and its copy (objects take more room than text). */
const costOf = (blob: CachedBlob) => blob.data.length * (blob.items ? 3 : 1);

/**
 * The latest value of each (namespace, channel) per thread, for the threads used most recently,
 * within a budget of characters. Entries are immutable: whoever else writes the thread, an entry
 * is only used once Redis confirms its index.
 */
export class BlobCache {
  private readonly threads = new Map<string, Map<string, CachedBlob>>();
  private size = 0;

  constructor(private readonly maxChars: number) {}

  /** The thread's entries, marked as used most recently. */
  entries(threadId: string): CachedBlob[] {
    const entries = this.threads.get(threadId);
    if (!entries) return [];
    this.threads.delete(threadId);
    this.threads.set(threadId, entries);
    return [...entries.values()];
  }

  /** The entry of `channelKey` ("<ns>\0<channel>") of the thread, if any. */
  latest(threadId: string, channelKey: string): CachedBlob | undefined {
    return this.threads.get(threadId)?.get(channelKey);
  }

  /** Keeps `blob` as the thread's value of `channelKey`, in place of the one before it. */
  set(threadId: string, channelKey: string, blob: CachedBlob): void {
    if (costOf(blob) > this.maxChars) return;
    let entries = this.threads.get(threadId);
    if (entries) this.threads.delete(threadId);
    else entries = new Map();
    this.threads.set(threadId, entries);
    const before = entries.get(channelKey);
    if (before) this.size -= costOf(before);
    entries.set(channelKey, blob);
    this.size += costOf(blob);
    this.evict();
  }

  /** Forgets the thread (its values were deleted, or Redis no longer holds what was cached). */
  forget(threadId: string): void {
    const entries = this.threads.get(threadId);
    if (!entries) return;
    for (const blob of entries.values()) this.size -= costOf(blob);
    this.threads.delete(threadId);
  }

  private evict(): void {
    for (const threadId of this.threads.keys()) {
      if (this.size <= this.maxChars) return;
      this.forget(threadId);
    }
  }
}
