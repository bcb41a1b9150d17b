/**
 * The two file formats of `ledger import` and `POST /imports`, read as a stream of records,
 * never the whole file: a CSV record (RFC 4180) is its fields, an NDJSON record its one line of
 * text. Pure state machines fed with decoded text chunks; the I/O is `readRecords` at the end.
 *
 * Every record carries the line it starts on (1-based, as an editor numbers lines), which is
 * what a refusal names.
 */

export type ImportFormat = 'csv' | 'ndjson';

/** Why a record could not be read at all: it never reaches a row codec. */
export type RecordFault = 'truncated' | 'encoding';

export type RawRecord =
  | { readonly line: number; readonly format: 'csv'; readonly fields: readonly string[] }
  | { readonly line: number; readonly format: 'ndjson'; readonly text: string }
  | { readonly line: number; readonly fault: RecordFault };

/** U+FFFD: what the (non-fatal) UTF-8 decoder puts where the bytes were not UTF-8. */
const REPLACEMENT = '\uFFFD';

/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF or LF; a quoted field may hold
 * commas, line breaks and doubled quotes. A leading BOM is dropped. A last record without a
 * line end, or an open quote at the end of the input, is reported as truncated: a file cut
 * short in transfer must not import a partial last row.
 */
export class CsvRecords {
  private fields: string[] = [];
  private field = '';
  private quoted = false;
  /** Inside quotes, the previous character was a quote: either an escaped quote or the end. */
  private quoteSeen = false;
  private afterCr = false;
  private quotedCr = false;
  /** The field began with a quote (a quote inside an unquoted field is kept as text). */
  private fieldStarted = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private faulty = false;

  /** The records completed by this chunk. */
  push(chunk: string): RawRecord[] {
    const out: RawRecord[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === REPLACEMENT) this.faulty = true;
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') continue; // CRLF: the record already ended at the CR
      }
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.quoted = false; // the closing quote; c is handled below as after a field
        } else {
          if (c === '"') this.quoteSeen = true;
          else {
            // A line break inside quotes is data, but still a line of the file: CR, LF and CRLF count once.
            if (c === '\r' || (c === '\n' && !this.quotedCr)) this.line += 1;
            this.quotedCr = c === '\r';
            this.field += c;
          }
          continue;
        }
      }
      if (c === '"' && !this.fieldStarted && this.field === '') {
        this.quoted = true;
        this.fieldStarted = true;
        continue;
      }
      if (c === ',') {
        this.endField();
        continue;
      }
      if (c === '\n' || c === '\r') {
        if (c === '\r') this.afterCr = true;
        this.endField();
        const record = this.endRecord();
        if (record !== undefined) out.push(record);
        this.line += 1;
        this.recordLine = this.line;
        continue;
      }
      this.fieldStarted = true;
      this.field += c;
    }
    return out;
  }

  /** The end of the input: a pending record is one without a line end. */
  end(): RawRecord[] {
    if (this.quoted && this.quoteSeen) this.quoted = false;
    const pending = this.fields.length > 0 || this.field !== '' || this.fieldStarted || this.quoted;
    if (!pending) return [];
    return [{ line: this.recordLine, fault: 'truncated' }];
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.fieldStarted = false;
  }

  private endRecord(): RawRecord | undefined {
    const fields = this.fields;
    const faulty = this.faulty;
    this.fields = [];
    this.faulty = false;
    // A blank line is no record (a trailing empty line is common).
    if (fields.length === 1 && fields[0] === '') return undefined;
    return faulty ? { line: this.recordLine, fault: 'encoding' } : { line: this.recordLine, format: 'csv', fields };
  }
}

/**
 * NDJSON: one JSON object per line, LF or CRLF; a leading BOM is dropped; blank lines are
 * skipped. A last line without a line end is truncated, as for CSV.
 */
export class NdjsonRecords {
  private pending = '';
  private line = 1;
  private started = false;

  push(chunk: string): RawRecord[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    const out: RawRecord[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
      const piece = this.pending + text.slice(from, nl);
      this.pending = '';
      from = nl + 1;
      const record = this.record(piece.endsWith('\r') ? piece.slice(0, -1) : piece);
      if (record !== undefined) out.push(record);
      this.line += 1;
    }
    this.pending += text.slice(from);
    return out;
  }

  end(): RawRecord[] {
    if (this.pending.trim() === '') return [];
    return [{ line: this.line, fault: 'truncated' }];
  }

  private record(text: string): RawRecord | undefined {
    if (text.trim() === '') return undefined;
    if (text.includes(REPLACEMENT)) return { line: this.line, fault: 'encoding' };
    return { line: this.line, format: 'ndjson', text };
  }
}

/**
 * Reads a byte stream (a file, a request body) as records, chunk by chunk: memory stays the
 * size of a chunk and a record. Bytes that are not UTF-8 make their record an encoding fault.
 */
export async function* readRecords(bytes: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, format: ImportFormat): AsyncGenerator<RawRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  const parser = format === 'csv' ? new CsvRecords() : new NdjsonRecords();
  for await (const chunk of bytes) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* parser.push(text);
  }
  const rest = decoder.decode();
  if (rest !== '') yield* parser.push(rest);
  yield* parser.end();
}
