export interface SseEvent {
  id?: number;
  event: string;
  data: any;
}

/** Parses a raw text/event-stream body: events (with id, event and JSON data) and comment lines. */
export function parseSse(raw: string): { events: SseEvent[]; comments: string[] } {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  for (const block of raw.split('\n\n')) {
    if (!block.trim()) continue;
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      const at = line.indexOf(': ');
      if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
    }
    if (fields.event) events.push({ id: Number(fields.id), event: fields.event, data: JSON.parse(fields.data ?? 'null') });
  }
  return { events, comments };
}
