import type { VisitCreated, VisitKind } from '../customer/record-visit';
import type { Source } from '../shared/source';
import type { VisitRewardRule } from '../program/rules';

/**
 * A customer's visits so far, counted per (kind, source): enough to count the visits of any
 * rule's filter without replaying the visits themselves, and small (at most 15 cells).
 *
 * The reactions fold it from the customer's own stream up to and including the triggering visit,
 * never from a projection, so the count behind a reward is the same on every run and re-run.
 */
export type VisitTally = ReadonlyMap<string, number>;

export const emptyVisitTally: VisitTally = new Map();

const cell = (kind: VisitKind, source: Source): string => `${kind}/${source}`;

/** The tally with one more visit. */
export function tallyVisit(tally: VisitTally, visit: VisitCreated['data']): VisitTally {
  const key = cell(visit.kind, visit.source);
  return new Map(tally).set(key, (tally.get(key) ?? 0) + 1);
}

/** Whether a rule counts this visit: its kind and source are in the rule's lists (a missing list admits all). */
export const countsVisit = (rule: VisitRewardRule, visit: { readonly kind: VisitKind; readonly source: Source }): boolean =>
  (rule.kinds === undefined || rule.kinds.includes(visit.kind)) && (rule.sources === undefined || rule.sources.includes(visit.source));

/** How many of the tallied visits the rule counts. */
export function countedVisits(tally: VisitTally, rule: VisitRewardRule): number {
  let total = 0;
  for (const [key, count] of tally) {
    const [kind, source] = key.split('/') as [VisitKind, Source];
    if (countsVisit(rule, { kind, source })) total += count;
  }
  return total;
}
