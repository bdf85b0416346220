import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';

/**
 * Runs a real graph on `saver`: two turns, then a third one forked from the first (time travel,
 * which is also how a failed turn is rolled back). Returns the values of both branches' heads.
 */
export async function forkThread(saver: BaseCheckpointSaver, threadId: string): Promise<{ fork: string[]; original: string[] }> {
  const State = Annotation.Root({ log: Annotation<string[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }) });
  const graph = new StateGraph(State)
    .addNode('echo', (s: typeof State.State) => ({ log: [`echo ${s.log.length}`] }))
    .addEdge(START, 'echo')
    .addEdge('echo', END)
    .compile({ checkpointer: saver });
  const thread = { configurable: { thread_id: threadId } };
  await graph.invoke({ log: ['a'] }, thread);
  const first = (await graph.getState(thread)).config;
  await graph.invoke({ log: ['b'] }, thread);
  const original = (await graph.getState(thread)).config;
  await graph.invoke({ log: ['c'] }, first);
  return {
    fork: (await graph.getState(thread)).values.log,
    original: (await graph.getState(original)).values.log,
  };
}

/** What `forkThread` must return: the fork did not touch the branch it forked from. */
export const BOTH_BRANCHES = { fork: ['a', 'echo 1', 'c', 'echo 3'], original: ['a', 'echo 1', 'b', 'echo 3'] };
