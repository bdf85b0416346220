import { textToolResult } from './text-tool-result';

describe('textToolResult', () => {
  it('leaves a result that is already text as it is', () => {
    expect(textToolResult('5')).toBeUndefined();
    expect(textToolResult([{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }])).toBeUndefined();
  });

  it('describes audio and binary files by type, name and size; nothing binary is kept', () => {
    const wav = Buffer.alloc(4096).toString('base64');
    const text = textToolResult([
      { type: 'audio', source_type: 'base64', data: wav, mime_type: 'audio/wav' },
      { type: 'file', source_type: 'base64', data: wav, mime_type: 'application/zip', metadata: { uri: 'file:///a.zip' } },
    ]);
    expect(text).toBe(
      [
        '[audio/wav audio, 4 KiB: not shown, tool results reach the model as text]',
        '[application/zip file file:///a.zip, 4 KiB: not shown, tool results reach the model as text]',
      ].join('\n'),
    );
    expect(text).not.toContain(wav.slice(0, 16));
  });
});
