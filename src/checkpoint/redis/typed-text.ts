import { SEP } from './thread-keys';

/** serde output as text: JSON stays readable, anything else is base64. */
export function encodeTyped([type, bytes]: [string, Uint8Array]): [string, string] {
  return type === 'json' ? [type, Buffer.from(bytes).toString('utf8')] : [`b64:${type}`, Buffer.from(bytes).toString('base64')];
}

/** What encodeTyped wrote, as the serde takes it back. */
export function decodeTyped(type: string, data: string): [string, string | Uint8Array] {
  if (!type.startsWith('b64:')) return [type, data];
  // A plain Uint8Array, as the serde wrote it (a Buffer would come back as a Buffer).
  const bytes = Buffer.from(data, 'base64');
  return [type.slice(4), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)];
}

/** Splits "a\0b\0rest" into at most `parts` pieces (the last keeps any separators). */
export function splitFields(value: string, parts: number): string[] {
  const out: string[] = [];
  let rest = value;
  while (out.length < parts - 1) {
    const at = rest.indexOf(SEP);
    if (at < 0) break;
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}
