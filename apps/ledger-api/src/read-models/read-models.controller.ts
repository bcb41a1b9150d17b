import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { Access } from '../http/access';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import * as t from 'io-ts';
import type { EventStore } from '#event-store/event-store.port';
import { Identifier, IntInRange, strictObject } from '#ledger-domain/shared/codecs';
import { LEDGER_PROJECTION } from '#read-models/projector';
import { customerAchievements, customerBalance, customerTimeline, customerVisitReport, visitReport } from '#read-models/queries';
import { CustomerPathC } from '../customers/customer-command';
import { decodeOrThrow } from '../http/decode';
import { ProblemException, toProblem } from '../http/problem';
import { EVENT_STORE } from '../ledger/ledger.module';
import { ReadSide } from './read-side';

/** A global position in a query string: decimal digits, kept as BigInt. */
const PositionParam = new t.Type<bigint, string, unknown>(
  'global position (decimal integer)',
  (u): u is bigint => typeof u === 'bigint',
  (u, c) => (typeof u === 'string' && /^\d{1,40}$/.test(u) ? t.success(BigInt(u)) : t.failure(u, c)),
  String,
);
const IntParam = (min: number, max: number) =>
  new t.Type<number, string, unknown>(
    `integer ${min}-${max}`,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d{1,6}$/.test(u) ? Number(u) : NaN;
      return IntInRange(min, max, '').is(n) ? t.success(n) : t.failure(u, c);
    },
    String,
  );
const Day = new t.Type<string, string, unknown>(
  'day as YYYY-MM-DD',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(u) && !Number.isNaN(Date.parse(`${u}T00:00:00Z`)) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

const ConsistencyQueryC = strictObject('query', {}, { minPosition: PositionParam });
const TimelineQueryC = strictObject(
  'timeline query',
  {},
  {
    minPosition: PositionParam,
    cursor: PositionParam,
    limit: IntParam(1, 200),
    order: t.keyof({ asc: null, desc: null }),
  },
);
const VisitReportQueryC = strictObject('visit report query', { from: Day, to: Day }, { locationId: Identifier(), minPosition: PositionParam });

const MIN_POSITION_DOC = {
  name: 'minPosition',
  required: false,
  description: 'wait (up to 5 s, then 503 + Retry-After) until the read models reflect this global position, e.g. the `position` of a command response',
};

@ApiTags('read models')
@Controller()
export class ReadModelQueriesController {
  constructor(@Inject(ReadSide) private readonly readSide: ReadSide) {}

  @Get('customers/:customerId/balance')
  @Access('operator', 'auditor')
  @ApiOperation({ summary: 'Balance from the customer_balances projection' })
  @ApiQuery(MIN_POSITION_DOC)
  @ApiResponse({ status: 404, description: 'no such customer in the projection' })
  async balance(@Param() params: unknown, @Query() query: unknown) {
    return this.customerRow(params, query, customerBalance);
  }

  @Get('customers/:customerId/achievements')
  @Access('operator', 'auditor')
  @ApiOperation({ summary: "The customer's visit achievement from the customer_achievements projection: every visit counted, one level per visit reward" })
  @ApiQuery(MIN_POSITION_DOC)
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
  @ApiOperation({ summary: 'Ledger entries from the customer_timeline projection, keyset-paginated (newest first by default)' })
  @ApiQuery(MIN_POSITION_DOC)
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1-200, default 50' })
  @ApiQuery({ name: 'order', required: false, enum: ['desc', 'asc'] })
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

  @Get('reports/visits')
  @Access('reporter', 'auditor')
  @ApiOperation({ summary: 'Visits, purchases, conversion, distinct customers, payments and revenue per location per day (program timezone)' })
  @ApiQuery({ name: 'from', required: true, example: '2026-11-01' })
  @ApiQuery({ name: 'to', required: true, example: '2026-11-30' })
  @ApiQuery({ name: 'locationId', required: false })
  @ApiQuery(MIN_POSITION_DOC)
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
  @ApiQuery(MIN_POSITION_DOC)
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
