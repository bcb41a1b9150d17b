import * as t from 'io-ts';

/** How the visit or payment reached us: typed in by staff, scanned at the till, or an online order. */
export const SourceC = t.keyof({ manual: null, scan: null, online: null });
export type Source = t.TypeOf<typeof SourceC>;
