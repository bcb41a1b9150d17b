import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Access } from '../http/access';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import * as t from 'io-ts';
import type { EventStore } from '#event-store/event-store.port';
import { Identifier, Instant, IntInRange, strictObject } from '#ledger-domain/shared/codecs';
import { addDays, dayIn } from '#ledger-domain/shared/calendar';
import { annotate } from '#ledger-domain/shared/schema-annotation';
import { LEDGER_PROJECTION } from '#read-models/projector';
import {
  customerAchievements,
  customerBalance,
  customerExpirations,
  customerTimeline,
  customerVisitReport,
  liabilityReport,
  programTimezone,
  tierReport,
  visitReport,
} from '#read-models/queries';
import { CustomerPathC } from '../customers/customer-command';
import { ParamsFrom, QueryFrom } from '../docs/from-codec';
import { decodeOrThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { tiersOf } from '#ledger-domain/program/tiers';
import { CLOCK, EVENT_STORE, ProgramStreams, type Clock } from '../ledger/ledger.module';
import { ReadSide } from './read-side';

const POSITION = /^\d{1,40}$/;
/** A global position in a query string: decimal digits, kept as BigInt. */
const PositionParam = annotate(
  new t.Type<bigint, string, unknown>(
    'global position (decimal integer)',
    (u): u is bigint => typeof u === 'bigint',
    (u, c) => (typeof u === 'string' && POSITION.test(u) ? t.success(BigInt(u)) : t.failure(u, c)),
    String,
  ),
  // A string, not an integer: positions are BigInts, beyond what a JSON number holds exactly.
  { type: 'string', pattern: POSITION.source, example: '42' },
);
const IntParam = (min: number, max: number) => {
  const inRange = IntInRange(min, max, '');
  return annotate(
    new t.Type<number, string, unknown>(
      `integer ${min}-${max}`,
      (u): u is number => typeof u === 'number',
      (u, c) => {
        const n = typeof u === 'string' && /^\d{1,6}$/.test(u) ? Number(u) : NaN;
        return inRange.is(n) ? t.success(n) : t.failure(u, c);
      },
      String,
    ),
    { type: 'integer', minimum: min, maximum: max },
  );
};
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isCalendarDay = (day: string): boolean => {
  const ms = Date.parse(`${day}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === day;
};
const Day = annotate(
  new t.Type<string, string, unknown>(
    'day as YYYY-MM-DD',
    (u): u is string => typeof u === 'string',
    // A real calendar day: Date.parse alone rolls 31 November over into 1 December.
    (u, c) => (typeof u === 'string' && DAY.test(u) && isCalendarDay(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  ),
  { type: 'string', format: 'date', pattern: DAY.source, example: '2026-11-01' },
);

const MIN_POSITION_DOC = {
  description: 'wait (up to 5 s, then 503 + Retry-After) until the read models reflect this global position, e.g. the `position` of a command response',
};

export const ConsistencyQueryC = annotate(strictObject('query', {}, { minPosition: PositionParam }), { properties: { minPosition: MIN_POSITION_DOC } });
export const TimelineQueryC = annotate(
  strictObject(
    'timeline query',
    {},
    {
      minPosition: PositionParam,
      cursor: PositionParam,
      limit: IntParam(1, 200),
      order: t.keyof({ asc: null, desc: null }),
    },
  ),
  {
    properties: {
      minPosition: MIN_POSITION_DOC,
      cursor: { description: 'nextCursor of the previous page' },
      limit: { default: 50 },
      order: { default: 'desc' },
    },
  },
);
export const VisitReportQueryC = annotate(
  strictObject('visit report query', { from: Day, to: Day }, { locationId: Identifier(), minPosition: PositionParam }),
  {
    properties: {
      from: { description: 'first day, in the program timezone' },
      to: { description: 'last day (inclusive), on or after `from`', example: '2026-11-30' },
      minPosition: MIN_POSITION_DOC,
    },
  },
);

const AS_OF_DOC = {
  description: 'ISO 8601 instant with offset; default: the server clock. What the ledger had recorded by then (recorded basis)',
};

export const ExpirationsQueryC = annotate(strictObject('expirations query', {}, { asOf: Instant, minPosition: PositionParam }), {
  properties: { asOf: AS_OF_DOC, minPosition: MIN_POSITION_DOC },
});

/** The longest stretch of days one liability or tier report lists. */
export const MAX_REPORT_DAYS = 366;

export const LiabilityQueryC = annotate(strictObject('liability query', {}, { asOf: Instant, from: Day, to: Day, minPosition: PositionParam }), {
  properties: {
    asOf: AS_OF_DOC,
    from: { description: 'first day of the daily figures (program timezone); default: the first of the month of `to`' },
    to: {
      description: `last day (inclusive): \`from\`..\`to\` at most ${MAX_REPORT_DAYS} days; default: the day of \`asOf\` (program timezone)`,
      example: '2026-11-30',
    },
    minPosition: MIN_POSITION_DOC,
  },
});

export const TierReportQueryC = annotate(strictObject('tier report query', {}, { asOf: Instant, from: Day, to: Day, minPosition: PositionParam }), {
  properties: {
    asOf: AS_OF_DOC,
    from: { description: 'first day of the daily upgrades and downgrades (program timezone); default: the first of the month of `to`' },
    to: {
      description: `last day (inclusive): \`from\`..\`to\` at most ${MAX_REPORT_DAYS} days; default: the day of \`asOf\` (program timezone)`,
      example: '2026-11-30',
    },
    minPosition: MIN_POSITION_DOC,
  },
});

@ApiTags('read models')
@Controller()
export class ReadModelQueriesController {
  constructor(
    @Inject(ReadSide) private readonly readSide: ReadSide,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ProgramStreams) private readonly programs: ProgramStreams,
  ) {}

  @Get('customers/:customerId/balance')
  @Access('operator', 'auditor')
  @ApiOperation({
    summary: 'Balance from the customer_balances projection: available (never negative), pending, owed (0 unless in debt) and the lifetime totals',
  })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(ConsistencyQueryC)
  @ApiResponse({ status: 404, description: 'no such customer in the projection' })
  async balance(@Param() params: unknown, @Query() query: unknown) {
    return this.customerRow(params, query, customerBalance);
  }

  @Get('customers/:customerId/achievements')
  @Access('operator', 'auditor')
  @ApiOperation({ summary: "The customer's visit achievement from the customer_achievements projection: every visit counted, one level per visit reward" })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(ConsistencyQueryC)
  @ApiResponse({ status: 200, description: '{customerId, visits, level, rewardPoints, lastVisitAt, lastRewardAt, position}' })
  @ApiResponse({ status: 404, description: 'no such customer in the projection' })
  async achievements(@Param() params: unknown, @Query() query: unknown) {
    return this.customerRow(params, query, customerAchievements);
  }

  /** A customer's row of one projection, once it reflects `?minPosition=`; 404 when the customer has none. */
  private async customerRow<R>(
    params: unknown,
    query: unknown,
    read: (db: ReadSide['database']['db'], customerId: string) => Promise<R | undefined>,
  ): Promise<R> {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const { minPosition } = decodeOrThrow(ConsistencyQueryC, query);
    await this.readSide.reach(minPosition);
    const row = await read(this.readSide.database.db, customerId);
    if (row === undefined) throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    return row;
  }

  @Get('customers/:customerId/timeline')
  @Access('operator', 'auditor')
  @ApiOperation({
    summary:
      'Ledger entries from the customer_timeline projection, with the available, pending and owed balances after each, keyset-paginated (newest first by default)',
  })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(TimelineQueryC)
  async timeline(@Param() params: unknown, @Query() query: unknown) {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const q = decodeOrThrow(TimelineQueryC, query);
    await this.readSide.reach(q.minPosition);
    const page = await customerTimeline(this.readSide.database.db, customerId, {
      limit: q.limit ?? 50,
      order: q.order ?? 'desc',
      ...(q.cursor !== undefined && { cursor: q.cursor }),
    });
    if (page.entries.length === 0 && q.cursor === undefined && (await customerBalance(this.readSide.database.db, customerId)) === undefined) {
      throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    }
    return page;
  }

  @Get('customers/:customerId/expirations')
  @Access('operator', 'auditor')
  @ApiOperation({
    summary:
      "The customer's lots with points left that will expire, soonest first (lot, source, expiresAt, remaining, pending, due), the points expiring within 30, 60 and 90 days, and the next expiry, as the ledger recorded them by `asOf` (points_movements)",
  })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(ExpirationsQueryC)
  @ApiResponse({
    status: 200,
    description:
      '{customerId, asOf, lots: [{lotId, source, paymentId, earnedAt, expiresAt, remaining, pending, due}], windows: [{days, until, points}], nextExpiry}',
  })
  @ApiResponse({ status: 404, description: 'no such customer in the projection' })
  async expirations(@Param() params: unknown, @Query() query: unknown) {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const q = decodeOrThrow(ExpirationsQueryC, query);
    await this.readSide.reach(q.minPosition);
    const db = this.readSide.database.db;
    if ((await customerBalance(db, customerId)) === undefined) throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    return customerExpirations(db, customerId, q.asOf ?? this.clock().toISOString());
  }

  @Get('reports/liability')
  @Access('reporter', 'auditor')
  @ApiOperation({
    summary:
      'The points liability as of an instant (recorded basis): points outstanding by expiry month (program timezone; never-expiring apart), pending and available apart, and per day the points earned, credited, spent, debited, reversed, voided, expired (breakage), repaid and activated (points_movements)',
  })
  @QueryFrom(LiabilityQueryC)
  @ApiResponse({
    status: 200,
    description: '{asOf, outstanding: {available, pending, total}, byExpiryMonth: [{month, available, pending}], from, to, days: [...], totals}',
  })
  async liability(@Query() query: unknown) {
    const q = decodeOrThrow(LiabilityQueryC, query);
    await this.readSide.reach(q.minPosition);
    const db = this.readSide.database.db;
    return liabilityReport(db, await this.reportSpan(q));
  }

  @Get('reports/tiers')
  @Access('reporter', 'auditor')
  @ApiOperation({
    summary:
      "Tiers as of an instant (recorded basis): customers per tier (each customer's latest tier change recorded by then; in the program's tier order, with the names and thresholds the program has now), customers stepped down below every tier, and upgrades and downgrades per day (program timezone) (tier_changes)",
  })
  @QueryFrom(TierReportQueryC)
  @ApiResponse({
    status: 200,
    description: '{asOf, tiers: [{tierId, name, threshold, multiplier, customers}], withoutTier, from, to, days: [{day, upgrades, downgrades}], totals}',
  })
  async tiers(@Query() query: unknown) {
    const q = decodeOrThrow(TierReportQueryC, query);
    await this.readSide.reach(q.minPosition);
    const db = this.readSide.database.db;
    const [report, program] = await Promise.all([tierReport(db, await this.reportSpan(q)), this.programs.current()]);
    const defined = program === undefined ? [] : tiersOf(program.settings);
    const held = new Map(report.tiers.map((t) => [t.tierId, t.customers]));
    // Every tier the program has, held or not, in its order; then any tier it no longer has that customers still hold.
    const tiers = [
      ...defined.map((t) => ({ tierId: t.tierId, name: t.name, threshold: t.threshold, multiplier: t.multiplier, customers: held.get(t.tierId) ?? 0 })),
      ...report.tiers
        .filter((t) => !defined.some((d) => d.tierId === t.tierId))
        .map((t) => ({ tierId: t.tierId, name: null, threshold: null, multiplier: null, customers: t.customers })),
    ];
    return { ...report, tiers };
  }

  /** A report's instant and days: `asOf` (default now), `to` (default the day of `asOf`), `from` (default the first of that month). */
  private async reportSpan(q: { asOf?: string; from?: string; to?: string }): Promise<{ asOf: string; from: string; to: string }> {
    const asOf = q.asOf ?? this.clock().toISOString();
    const to = q.to ?? dayIn(await programTimezone(this.readSide.database.db), asOf);
    const from = q.from ?? `${to.slice(0, 7)}-01`;
    const invalid = (path: string, message: string) => new ProblemException(toProblem({ _tag: 'InvalidInput', errors: [{ path, message }] }));
    if (from > to) throw invalid('from', 'expected a day on or before `to`');
    if (addDays(from, MAX_REPORT_DAYS) <= to) throw invalid('to', `expected a day within ${MAX_REPORT_DAYS} days of \`from\` (both included)`);
    return { asOf, from, to };
  }

  @Get('reports/visits')
  @Access('reporter', 'auditor')
  @ApiOperation({
    summary:
      "Visits, purchases, conversion, distinct customers, payments and revenue, and refunds with the refunded revenue (on the refund's own day, at the payment's location), per location per day (program timezone)",
  })
  @QueryFrom(VisitReportQueryC)
  async visits(@Query() query: unknown) {
    const q = decodeOrThrow(VisitReportQueryC, query);
    if (q.from > q.to) throw new ProblemException(toProblem({ _tag: 'InvalidInput', errors: [{ path: 'from', message: 'expected a day on or before `to`' }] }));
    await this.readSide.reach(q.minPosition);
    const days = await visitReport(this.readSide.database.db, { from: q.from, to: q.to, ...(q.locationId !== undefined && { locationId: q.locationId }) });
    return { from: q.from, to: q.to, locationId: q.locationId ?? null, days };
  }

  @Get('reports/visits/customers/:customerId')
  @Access('reporter', 'auditor')
  @ApiOperation({ summary: "A customer's visits: with and without a purchase, first and last" })
  @ParamsFrom(CustomerPathC)
  @QueryFrom(ConsistencyQueryC)
  async customerVisits(@Param() params: unknown, @Query() query: unknown) {
    const { customerId } = decodeOrThrow(CustomerPathC, params);
    const { minPosition } = decodeOrThrow(ConsistencyQueryC, query);
    await this.readSide.reach(minPosition);
    if ((await customerBalance(this.readSide.database.db, customerId)) === undefined) {
      throw new ProblemException(toProblem({ _tag: 'CustomerNotFound', customerId }));
    }
    return customerVisitReport(this.readSide.database.db, customerId);
  }
}

@ApiTags('read models')
@Controller('projections')
export class ProjectionsController {
  constructor(
    @Inject(ReadSide) private readonly readSide: ReadSide,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Access('reporter', 'auditor', 'operator')
  @ApiOperation({ summary: "Each projection's checkpoint, the store's head and the lag between them" })
  async list() {
    const [checkpoint, head] = await Promise.all([this.readSide.checkpoint(), this.store.headPosition()]);
    return {
      head: head.toString(),
      projections: [
        {
          name: LEDGER_PROJECTION,
          checkpoint: checkpoint.toString(),
          // Positions of the embedded store have no gaps, so this is a count of events; elsewhere an upper bound.
          lag: (head > checkpoint ? head - checkpoint : 0n).toString(),
          database: this.readSide.database.dialect,
          ...this.readSide.projector.health,
        },
      ],
    };
  }
}
