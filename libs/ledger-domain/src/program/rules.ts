import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { VisitKindC, type VisitKind } from '../customer/record-visit';
import { SourceC, type Source } from '../shared/source';
import { CheckedArray, DistinctValues, Identifier, IntInRange, refine, strictObject } from '../shared/codecs';
import { annotate } from '../shared/schema-annotation';
import type { InvalidInput } from '../shared/errors';
import { MAX_POINTS_PER_ENTRY, parseRatio } from '../shared/points';

/**
 * Program rules: what the reactions to recorded events issue (see `reactions/react.ts`).
 *
 * Glossary
 * - visit reward: `points` for every `everyVisits`-th counted visit of a customer (the 5th,
 *   10th, …). A visit is counted when its kind and source are in the rule's lists (all kinds
 *   and all sources when a list is left out), whatever else it is: a manual visit counts.
 * - cashback: `percent` of a payment's amount, as points at the program's `pointsPerUnit`, for
 *   payments from the listed sources. Only `scan` and `online`: a payment typed in by staff
 *   (source `manual`) never earns cashback (Appfront: "Cashback event is only triggered through
 *   an online order or scanning at the store").
 * - rule id: names a rule across program versions; a reward records the rule id and the
 *   program version that issued it.
 */

const RuleIdC = Identifier('rule id of 1 to 100 characters [A-Za-z0-9-_.:]');

export const VisitRewardRuleC = annotate(
  strictObject(
    'visit reward rule',
    {
      ruleId: RuleIdC,
      everyVisits: IntInRange(1, 10_000, 'integer from 1 to 10000'),
      points: IntInRange(1, MAX_POINTS_PER_ENTRY, `integer from 1 to ${MAX_POINTS_PER_ENTRY}`),
    },
    {
      kinds: DistinctValues(VisitKindC, 'non-empty list of distinct visit kinds (browse, service, event, pickup, purchase)'),
      sources: DistinctValues(SourceC, 'non-empty list of distinct sources (manual, scan, online)'),
    },
  ),
  {
    properties: {
      ruleId: { example: 'visits-5', description: 'names the rule across versions; unique among all rules' },
      everyVisits: { example: 5 },
      points: { example: 50 },
      kinds: { description: 'visit kinds counted (default: all)' },
      sources: { description: 'visit sources counted (default: all, manual included)' },
    },
  },
);
export type VisitRewardRule = t.TypeOf<typeof VisitRewardRuleC>;

/** The payment sources cashback may name. The codec's name is the message a client sees for "manual". */
export const CashbackSourceC = t.keyof({ scan: null, online: null }, '"scan" or "online" (a manual payment never earns cashback)');
export type CashbackSource = t.TypeOf<typeof CashbackSourceC>;

/** Percentage as a decimal string: "2.5" is 2.5 %. Greater than 0, at most 100, up to 6 decimals. */
export const PercentC = annotate(
  refine(t.string, 'percentage as a decimal string greater than 0 and at most 100, up to 6 decimals', (s) => {
    const ratio = parseRatio(s);
    return ratio !== undefined && ratio.numerator > 0n && ratio.numerator <= 100n * ratio.denominator;
  }),
  { pattern: '^\\d{1,6}(\\.\\d{1,6})?$', description: 'percentage as a decimal string > 0 and ≤ 100, up to 6 decimals', example: '2.5' },
);

export const CashbackRuleC = annotate(
  strictObject(
    'cashback rule',
    { ruleId: RuleIdC, percent: PercentC },
    { sources: DistinctValues(CashbackSourceC, 'non-empty list of distinct sources ("scan", "online")') },
  ),
  { properties: { ruleId: { example: 'cashback' }, sources: { description: 'default both; "manual" is refused (400)' } } },
);
export type CashbackRule = t.TypeOf<typeof CashbackRuleC>;

const MAX_RULES = 20;
const distinctIds = (rules: readonly { ruleId: string }[]) => new Set(rules.map((r) => r.ruleId)).size === rules.length;

// JSON Schema cannot say "distinct by ruleId" (uniqueItems compares whole items): said in words.
export const VisitRewardRulesC = annotate(
  CheckedArray(VisitRewardRuleC, `list of at most ${MAX_RULES} visit reward rules with distinct ruleIds`, MAX_RULES, distinctIds),
  { description: 'ruleIds distinct', example: [{ ruleId: 'visits-5', everyVisits: 5, points: 50 }] },
);
export const CashbackRulesC = annotate(
  CheckedArray(CashbackRuleC, `list of at most ${MAX_RULES} cashback rules with distinct ruleIds`, MAX_RULES, distinctIds),
  { description: 'ruleIds distinct', example: [{ ruleId: 'cashback', percent: '2.5', sources: ['scan', 'online'] }] },
);

/** The rule settings of a program; both optional, so programs configured before rules existed read back unchanged. */
export const RULE_SETTINGS = { visitRewards: VisitRewardRulesC, cashback: CashbackRulesC };

export interface ProgramRules {
  readonly visitRewards?: readonly VisitRewardRule[];
  readonly cashback?: readonly CashbackRule[];
}

/** Sources cashback applies to when a rule leaves them out. */
export const DEFAULT_CASHBACK_SOURCES: readonly CashbackSource[] = ['scan', 'online'];

/** A rule id names one rule: the same id in both lists would make "which rule issued this" ambiguous. */
export function checkRules(rules: ProgramRules): E.Either<InvalidInput, void> {
  const visitIds = new Set((rules.visitRewards ?? []).map((r) => r.ruleId));
  const clash = (rules.cashback ?? []).findIndex((r) => visitIds.has(r.ruleId));
  return clash < 0
    ? E.right(undefined)
    : E.left({ _tag: 'InvalidInput', errors: [{ path: `cashback[${clash}].ruleId`, message: 'expected a ruleId not used by a visit reward rule' }] });
}

const KIND_ORDER: readonly VisitKind[] = ['browse', 'service', 'event', 'pickup', 'purchase'];
const SOURCE_ORDER: readonly Source[] = ['manual', 'scan', 'online'];
const inOrder = <A>(order: readonly A[], values: readonly A[]): A[] => order.filter((v) => values.includes(v));

/**
 * Rules in one canonical form: fields in a fixed order, filter lists in enum order, empty lists
 * dropped. Saving the same rules in another order is then not a change, and the stored event
 * reads the same however the request was written.
 */
export function normaliseRules(rules: ProgramRules): ProgramRules {
  const visitRewards = (rules.visitRewards ?? []).map((r): VisitRewardRule => ({
    ruleId: r.ruleId,
    everyVisits: r.everyVisits,
    points: r.points,
    ...(r.kinds !== undefined && { kinds: inOrder(KIND_ORDER, r.kinds) }),
    ...(r.sources !== undefined && { sources: inOrder(SOURCE_ORDER, r.sources) }),
  }));
  const cashback = (rules.cashback ?? []).map((r): CashbackRule => ({
    ruleId: r.ruleId,
    percent: r.percent,
    ...(r.sources !== undefined && { sources: inOrder<CashbackSource>(['scan', 'online'], r.sources) }),
  }));
  return { ...(visitRewards.length > 0 && { visitRewards }), ...(cashback.length > 0 && { cashback }) };
}
