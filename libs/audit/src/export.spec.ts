import { csvLine, EXPORT_COLUMNS } from './export';

describe('CSV lines of the export', () => {
  const line = (values: Record<string, string | number | null>) => csvLine(EXPORT_COLUMNS.map((c) => values[c] ?? null));

  it('leaves plain cells alone, writes null as an empty cell and ends with CRLF', () => {
    expect(csvLine(['a', 1, null, -5], ['x', 'y', 'z', 'points_delta'])).toBe('a,1,,-5\r\n');
  });

  it('quotes cells with commas, quotes or line breaks, doubling the quotes', () => {
    expect(csvLine(['say "hi", twice', 'two\nlines'], ['x', 'y'])).toBe('"say ""hi"", twice","two\nlines"\r\n');
  });

  it('defuses free text that a spreadsheet would run as a formula, but not numbers', () => {
    const cells = line({ reason: '=1+1', reference: '@SUM(A1)', actor: '+cmd', location_id: '-x', points_delta: -4 }).split(',');
    expect(cells[EXPORT_COLUMNS.indexOf('reason')]).toBe("'=1+1");
    expect(cells[EXPORT_COLUMNS.indexOf('reference')]).toBe("'@SUM(A1)");
    expect(cells[EXPORT_COLUMNS.indexOf('actor')]).toBe("'+cmd");
    expect(cells[EXPORT_COLUMNS.indexOf('location_id')]).toBe("'-x");
    expect(cells[EXPORT_COLUMNS.indexOf('points_delta')]).toBe('-4');
  });
});
