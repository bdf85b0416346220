/** Injection token of the per-user {@link ConversationIndex}. */
export const CONVERSATION_INDEX = Symbol('CONVERSATION_INDEX');

/** What a user's conversation list shows of one thread. */
export interface ConversationSummary {
  thread_id: string;
  user_id: string;
  created_at: string;
  updated_at: string;
  message_count: number;
  title: string;
  last_question: string;
  last_answer: string;
}

/** One finished turn, as the index records it. */
export interface TurnRecord {
  userId: string;
  threadId: string;
  at: Date;
  question: string;
  answer: string;
  messageCount: number;
  /** ids of the messages this turn added, to give each a `created_at` (kept if it has one) */
  messageIds: string[];
  /** ids of every message still in the thread: the times of the others (cut by bounded history) go */
  threadMessageIds: string[];
}

export interface ConversationPage {
  items: ConversationSummary[];
  nextCursor: string | null;
}

/**
 * Each user's threads, newest first, kept beside the checkpoints so that listing never scans
 * the keyspace. Written in the same request as the turn, before its response.
 */
export interface ConversationIndex {
  record(turn: TurnRecord): Promise<void>;
  list(userId: string, limit: number, cursor?: string): Promise<ConversationPage>;
  get(userId: string, threadId: string): Promise<ConversationSummary | undefined>;
  /** When each message of the thread was added, by message id. */
  messageTimes(userId: string, threadId: string): Promise<Record<string, string>>;
  /** Returns false when the user had no such thread. */
  remove(userId: string, threadId: string): Promise<boolean>;
}

export const TITLE_CHARS = 50;
export const PREVIEW_CHARS = 200;

/** Cuts by characters (code points), never inside a multi-byte character. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : chars.slice(0, max).join('');
}

/**
 * Cursor = base64url of "<updated_at ms>:<thread_id>" of the last item returned; the next page
 * starts strictly after it in (updated_at desc, thread_id desc) order, so no item repeats or is skipped.
 */
export function encodeCursor(score: number, threadId: string): string {
  return Buffer.from(`${score}:${threadId}`).toString('base64url');
}

export function decodeCursor(cursor: string): { score: number; threadId: string } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.indexOf(':');
  const score = Number(text.slice(0, at));
  if (at < 1 || !Number.isFinite(score)) return undefined;
  return { score, threadId: text.slice(at + 1) };
}
