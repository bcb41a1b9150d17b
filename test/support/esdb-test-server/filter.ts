/** Server-side `$all` filters: stream name or event type, by prefixes or a regular expression. */
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './store';

/** The server's page size (`ReadBatchSize`) and default search window when the client sends `count`. */
export const READ_BATCH_SIZE = 32;

export interface EventFilter {
  matches(event: StoredEvent): boolean;
  /** Records scanned per catch-up page at most (`max`, or 32 for `count`). */
  readonly window: number;
  /** Checkpoint every `window × checkpointIntervalMultiplier` records scanned. */
  readonly checkpointInterval: number;
}

/** Parses the filter options; a string is the reason they are invalid. */
export function parseFilter(options: ReadReq.Options.FilterOptions): EventFilter | string {
  const FilterCase = ReadReq.Options.FilterOptions.FilterCase;
  const WindowCase = ReadReq.Options.FilterOptions.WindowCase;
  const on = options.getFilterCase();
  const expression = on === FilterCase.STREAM_IDENTIFIER ? options.getStreamIdentifier() : options.getEventType();
  if (on === FilterCase.FILTER_NOT_SET || !expression) return 'filter: stream_identifier or event_type is required';
  const window = options.getWindowCase() === WindowCase.MAX ? options.getMax() : options.getWindowCase() === WindowCase.COUNT ? READ_BATCH_SIZE : undefined;
  if (window === undefined || window <= 0) return 'filter: a window (max > 0, or count) is required';
  const multiplier = options.getCheckpointintervalmultiplier();
  if (multiplier <= 0) return 'filter: checkpointIntervalMultiplier must be greater than 0';

  const field = (event: StoredEvent) => (on === FilterCase.STREAM_IDENTIFIER ? event.streamName : event.type);
  const fieldName = on === FilterCase.STREAM_IDENTIFIER ? 'stream name' : 'event type';
  const regex = expression.getRegex();
  if (regex !== '') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(regex);
    } catch {
      return `filter: invalid regular expression for ${fieldName}`;
    }
    return {
      matches: (event) => pattern.test(field(event)),
      window,
      checkpointInterval: window * multiplier,
    };
  }
  const prefixes = expression.getPrefixList();
  return {
    matches: (event) => prefixes.some((prefix) => field(event).startsWith(prefix)),
    window,
    checkpointInterval: window * multiplier,
  };
}
