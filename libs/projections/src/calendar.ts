const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The calendar day (YYYY-MM-DD) of an instant in an IANA timezone: reports count a visit at
 * 23:30 in Sydney on the Sydney day, not the UTC one.
 */
export function dayIn(timezone: string, instant: string): string {
  let format = formatters.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timezone, format);
  }
  // en-CA formats as YYYY-MM-DD.
  return format.format(new Date(instant));
}
