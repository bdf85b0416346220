import {
  clip,
  type ConversationIndex,
  type ConversationPage,
  type ConversationSummary,
  decodeCursor,
  encodeCursor,
  PREVIEW_CHARS,
  TITLE_CHARS,
  type TurnRecord,
} from './conversation-index';

interface Entry {
  summary: ConversationSummary;
  score: number;
  times: Record<string, string>;
}

const newestFirst = (a: Entry, b: Entry) =>
  b.score - a.score || (a.summary.thread_id < b.summary.thread_id ? 1 : a.summary.thread_id > b.summary.thread_id ? -1 : 0);

/** The in-process index that goes with the in-memory checkpointer. */
export class MemoryConversationIndex implements ConversationIndex {
  private readonly users = new Map<string, Map<string, Entry>>();

  async record(turn: TurnRecord): Promise<void> {
    const threads = this.users.get(turn.userId) ?? new Map<string, Entry>();
    this.users.set(turn.userId, threads);
    const at = turn.at.toISOString();
    const previous = threads.get(turn.threadId);
    threads.set(turn.threadId, {
      score: turn.at.getTime(),
      times: Object.fromEntries(
        turn.threadMessageIds.map((id) => [id, previous?.times[id] ?? (turn.messageIds.includes(id) ? at : undefined)]).filter(([, t]) => t),
      ),
      summary: {
        thread_id: turn.threadId,
        user_id: turn.userId,
        created_at: previous?.summary.created_at ?? at,
        updated_at: at,
        message_count: turn.messageCount,
        title: previous?.summary.title ?? clip(turn.question, TITLE_CHARS),
        last_question: clip(turn.question, PREVIEW_CHARS),
        last_answer: clip(turn.answer, PREVIEW_CHARS),
      },
    });
  }

  async list(userId: string, limit: number, cursor?: string): Promise<ConversationPage> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const entries = [...(this.users.get(userId)?.values() ?? [])]
      .sort(newestFirst)
      .filter(
        (e) => !after || e.score < after.score || (e.score === after.score && e.summary.thread_id < after.threadId),
      );
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((e) => e.summary),
      nextCursor: entries.length > limit && last ? encodeCursor(last.score, last.summary.thread_id) : null,
    };
  }

  async get(userId: string, threadId: string): Promise<ConversationSummary | undefined> {
    return this.users.get(userId)?.get(threadId)?.summary;
  }

  async messageTimes(userId: string, threadId: string): Promise<Record<string, string>> {
    return this.users.get(userId)?.get(threadId)?.times ?? {};
  }

  async remove(userId: string, threadId: string): Promise<boolean> {
    return this.users.get(userId)?.delete(threadId) ?? false;
  }
}
