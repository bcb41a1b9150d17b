import { CsvRecords, NdjsonRecords, readRecords, type RawRecord } from './import-records';

/** Feeds the text in chunks of `size` characters (every split point is tried by the callers). */
function csv(text: string, size = text.length): RawRecord[] {
  const parser = new CsvRecords();
  const out: RawRecord[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
  return [...out, ...parser.end()];
}

describe('CSV records (RFC 4180)', () => {
  it('splits fields on commas and records on LF, CRLF or CR, numbering lines', () => {
    expect(csv('a,b\r\nc,d\ne,f\r')).toEqual([
      { line: 1, format: 'csv', fields: ['a', 'b'] },
      { line: 2, format: 'csv', fields: ['c', 'd'] },
      { line: 3, format: 'csv', fields: ['e', 'f'] },
    ]);
  });

  it('keeps quoted commas, doubled quotes and line breaks, and numbers the lines after them', () => {
    const text = 'x,"a, b","say ""hi"""\r\n"two\r\nlines\nhere",y\nlast,""\n';
    const expected = [
      { line: 1, format: 'csv', fields: ['x', 'a, b', 'say "hi"'] },
      { line: 2, format: 'csv', fields: ['two\r\nlines\nhere', 'y'] },
      { line: 5, format: 'csv', fields: ['last', ''] },
    ];
    // Whatever the chunk boundaries (inside a quote, between CR and LF), the same records.
    for (let size = 1; size <= text.length; size++) expect(csv(text, size)).toEqual(expected);
  });

  it('drops a leading BOM and skips blank lines', () => {
    expect(csv('\uFEFFkind,sourceId\n\ncustomer,s1\n')).toEqual([
      { line: 1, format: 'csv', fields: ['kind', 'sourceId'] },
      { line: 3, format: 'csv', fields: ['customer', 's1'] },
    ]);
  });

  it('reports a last line without a line end, or an unclosed quote, as truncated', () => {
    expect(csv('a,b\nc,d')).toEqual([
      { line: 1, format: 'csv', fields: ['a', 'b'] },
      { line: 2, fault: 'truncated' },
    ]);
    expect(csv('a,b\n"c,d\n')).toEqual([
      { line: 1, format: 'csv', fields: ['a', 'b'] },
      { line: 2, fault: 'truncated' },
    ]);
  });

  it('reports a record holding bytes that were not UTF-8 as an encoding fault', async () => {
    const bytes = Buffer.concat([Buffer.from('a,b\nc,'), Buffer.from([0xff, 0xfe]), Buffer.from('\ne,f\n')]);
    const out: RawRecord[] = [];
    for await (const r of readRecords([bytes.subarray(0, 5), bytes.subarray(5)], 'csv')) out.push(r);
    expect(out).toEqual([
      { line: 1, format: 'csv', fields: ['a', 'b'] },
      { line: 2, fault: 'encoding' },
      { line: 3, format: 'csv', fields: ['e', 'f'] },
    ]);
  });

  it('decodes a UTF-8 character split across two chunks', async () => {
    const bytes = Buffer.from('name\nZoë\n');
    const out: RawRecord[] = [];
    for await (const r of readRecords([bytes.subarray(0, 8), bytes.subarray(8)], 'csv')) out.push(r);
    expect(out).toEqual([
      { line: 1, format: 'csv', fields: ['name'] },
      { line: 2, format: 'csv', fields: ['Zoë'] },
    ]);
  });
});

describe('NDJSON records', () => {
  const ndjson = (text: string, size = text.length): RawRecord[] => {
    const parser = new NdjsonRecords();
    const out: RawRecord[] = [];
    for (let i = 0; i < text.length; i += size) out.push(...parser.push(text.slice(i, i + size)));
    return [...out, ...parser.end()];
  };

  it('yields one record per line (LF or CRLF), skipping blank lines, dropping a BOM', () => {
    const text = '\uFEFF{"a":1}\r\n\n{"b":"x\\ny"}\n';
    for (let size = 1; size <= text.length; size++) {
      expect(ndjson(text, size)).toEqual([
        { line: 1, format: 'ndjson', text: '{"a":1}' },
        { line: 3, format: 'ndjson', text: '{"b":"x\\ny"}' },
      ]);
    }
  });

  it('reports a last line without a line end as truncated', () => {
    expect(ndjson('{"a":1}\n{"b":')).toEqual([
      { line: 1, format: 'ndjson', text: '{"a":1}' },
      { line: 2, fault: 'truncated' },
    ]);
  });
});
