import type { RunnableConfig } from '@langchain/core/runnables';
import { type BaseCheckpointSaver, type Checkpoint, emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';

const META = { source: 'loop' as const, step: 0, parents: {} };

/**
 * Appends one turn to a thread the way LangGraph does: read the latest checkpoint, then put
 * a child with the `messages` channel (and any `extra` channels) changed.
 */
export async function addTurn(
  saver: BaseCheckpointSaver,
  threadId: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<RunnableConfig> {
  const latest = await saver.getTuple({ configurable: { thread_id: threadId } });
  const previous = latest?.checkpoint ?? emptyCheckpoint();
  const messages = [...((previous.channel_values.messages as string[]) ?? []), text];
  const version = Number(previous.channel_versions.messages ?? 0) + 1;
  const changed = { messages: version, ...Object.fromEntries(Object.keys(extra).map((k) => [k, version])) };
  const checkpoint: Checkpoint = {
    ...previous,
    id: uuid6(-1),
    ts: new Date().toISOString(),
    channel_values: { ...previous.channel_values, messages, ...extra },
    channel_versions: { ...previous.channel_versions, ...changed },
  };
  const parent = latest?.config ?? { configurable: { thread_id: threadId, checkpoint_ns: '' } };
  return saver.put(parent, checkpoint, META, changed);
}

/** Runs `task` for every item with at most `concurrency` in flight. */
export async function inParallel<T>(items: T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}
