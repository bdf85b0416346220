import { type BaseMessage, HumanMessage, isHumanMessage, isSystemMessage, RemoveMessage, SystemMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import { textOf } from '../message-text';

export interface HistoryLimits {
  maxMessages?: number;
  maxTokens?: number;
}

/** Writes the running summary of what was cut; `previous` is the summary so far, if any. */
export type Summarizer = (cut: BaseMessage[], previous?: string) => Promise<string>;

export const SUMMARY_ID = 'conversation-summary';

/** A rough token count (4 characters a token): enough to bound storage and prompts. */
export const approximateTokens = (m: BaseMessage) => Math.ceil(textOf(m).length / 4) + 4;

export const isSummary = (m: BaseMessage) => isSystemMessage(m) && m.id === SUMMARY_ID;

/**
 * Where the kept history starts: the earliest human message such that what follows fits the
 * limits. Cutting only before a human message never separates a tool call from its results,
 * and the current question (the last human message) is always kept.
 */
export function keepFrom(messages: BaseMessage[], limits: HistoryLimits): number {
  const starts = messages.map((m, i) => (isHumanMessage(m) ? i : -1)).filter((i) => i >= 0);
  const fits = (start: number) => {
    const kept = messages.slice(start);
    const tokens = kept.reduce((sum, m) => sum + approximateTokens(m), 0);
    return (!limits.maxMessages || kept.length <= limits.maxMessages) && (!limits.maxTokens || tokens <= limits.maxTokens);
  };
  return starts.find(fits) ?? starts.at(-1) ?? 0;
}

const SUMMARY_LINES = 20;

/** The running summary is kept to this many characters (about 500 tokens), whoever writes it. */
export const SUMMARY_MAX_CHARS = 2000;

function clipSummary(text: string): string {
  if (text.length <= SUMMARY_MAX_CHARS) return text;
  const cut = text.slice(0, SUMMARY_MAX_CHARS - 1);
  const at = Math.max(cut.lastIndexOf('\n'), cut.lastIndexOf(' '));
  return `${at > SUMMARY_MAX_CHARS / 2 ? cut.slice(0, at) : cut}…`;
}

/**
 * The limits the kept history must fit so the stored thread fits the configured ones: room is left
 * for the answer about to be written and, when summarizing, for the summary.
 */
export function historyRoom(limits: HistoryLimits, summarizing: boolean): HistoryLimits {
  return {
    maxMessages: limits.maxMessages && Math.max(1, limits.maxMessages - 1 - (summarizing ? 1 : 0)),
    maxTokens: limits.maxTokens && Math.max(1, limits.maxTokens - (summarizing ? Math.ceil(SUMMARY_MAX_CHARS / 4) + 4 : 0)),
  };
}

/**
 * The deterministic summary the offline model gives: how many questions were asked, the first
 * and the latest ones. Bounded, so a summary never grows with the conversation either.
 */
export const extractiveSummary: Summarizer = async (cut, previous) => {
  const earlier = previous?.split('\n').filter((l) => l.startsWith('- ')) ?? [];
  const earlierCount = Number(/asked (\d+) question/.exec(previous ?? '')?.[1] ?? earlier.length);
  // 20 lines of at most ~80 characters: well within SUMMARY_MAX_CHARS.
  const added = cut.filter(isHumanMessage).map((m) => `- ${textOf(m).slice(0, 80)}`);
  const lines = [...earlier, ...added];
  const kept = lines.length > SUMMARY_LINES ? [lines[0], '…', ...lines.slice(-(SUMMARY_LINES - 1))] : lines;
  const count = earlierCount + added.length;
  return [`Earlier in this conversation the user asked ${count} question${count === 1 ? '' : 's'}:`, ...kept].join('\n');
};

/**
 * A LangGraph pre-model hook that bounds the stored conversation: when it exceeds the limits,
 * older turns are removed from the state itself (not only from the prompt), optionally folded
 * into one running summary kept first (clipped to SUMMARY_MAX_CHARS). The system prompt is never
 * part of the state, so it stays. After a turn without tool calls the stored thread (summary and
 * answer included) fits the message limit; the token limit bounds what the model is sent (the
 * answer comes on top). Tool traffic of the current turn can exceed them until the next one.
 */
export function boundedHistoryHook(limits: HistoryLimits, summarize?: Summarizer) {
  return async (state: { messages: BaseMessage[] }) => {
    const previous = state.messages.find(isSummary);
    const history = state.messages.filter((m) => !isSummary(m));
    const start = keepFrom(history, historyRoom(limits, !!summarize));
    if (start === 0) return {};
    const cut = history.slice(0, start);
    const summary = summarize
      ? [new SystemMessage({ id: SUMMARY_ID, content: clipSummary(await summarize(cut, previous ? textOf(previous) : undefined)) })]
      : [];
    // Replace the whole list: the summary must come first, which an append cannot do.
    return { messages: [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...summary, ...history.slice(start)] };
  };
}

/** A summary written by the configured model. */
export function modelSummarizer(model: { invoke(messages: BaseMessage[]): Promise<BaseMessage> }): Summarizer {
  return async (cut, previous) => {
    const transcript = cut.map((m) => `${m.getType()}: ${textOf(m)}`).join('\n');
    const reply = await model.invoke([
      new SystemMessage(
        'Summarize this earlier part of a conversation in a few sentences for the assistant to remember: ' +
          'keep facts, names, numbers and decisions. Reply with the summary only.',
      ),
      // A human turn: some providers (Anthropic) accept a system message only first.
      new HumanMessage(previous ? `Summary so far:\n${previous}\n\nConversation to add:\n${transcript}` : transcript),
    ]);
    return textOf(reply);
  };
}
