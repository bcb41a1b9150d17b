import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { CommandRunner } from '../../apps/ledger-api/src/ledger/command-runner';
import type { CommandContext } from '../../apps/ledger-api/src/ledger/command-context';
import { CustomerStreams, ProgramStreams } from '../../apps/ledger-api/src/ledger/ledger.module';
import { Reservations } from '../../apps/ledger-api/src/ledger/reservations';
import { IssueRewardHandler, issueReactions } from '../../apps/ledger-api/src/reactions/issue-reward.handler';
import { ReactionRunner, REACTIONS_CHECKPOINT, type DispatchReactions } from '../../apps/ledger-api/src/reactions/reaction-runner';
import { enrolCustomer } from '#ledger-domain/customer/enrol-customer';
import { recordVisit } from '#ledger-domain/customer/record-visit';
import { decideProgram, DEFAULT_PROGRAM_ID, DEFAULT_PROGRAM_SETTINGS } from '#ledger-domain/program/program';
import { positionText } from '#read-models/tables';
import { accountStream, programStream } from '#runtime/streams';
import { openReadModelFixture, type Dialect, type ReadModelFixture } from '../read-models/read-model-fixture';
import { checkpoints } from '../read-models/read-model-tables';

/**
 * The reaction runner on a real event store and a real read-model database (SQLite and
 * PostgreSQL), with the real command loop behind it: what a crash between the commands and the
 * checkpoint, a refused command and a second runner do to the rewards issued.
 */
describe.each<Dialect>(['sqlite', 'postgres'])('reaction runner (%s)', (dialect) => {
  let fx: ReadModelFixture;
  let runner: CommandRunner;
  let customers: CustomerStreams;
  const now = () => new Date('2026-11-20T12:00:00.000Z');
  const context = (): CommandContext => {
    const commandId = randomUUID();
    return { commandId, correlationId: commandId, actor: 'test', now: now() };
  };

  beforeEach(async () => {
    fx = await openReadModelFixture(dialect);
    runner = new CommandRunner(fx.store, now, new Reservations(fx.store, now));
    customers = new CustomerStreams(fx.store);
    const configured = await runner.run(new ProgramStreams(fx.store), programStream(DEFAULT_PROGRAM_ID), context(), (state) =>
      decideProgram(
        {
          type: 'ConfigureProgram',
          programId: DEFAULT_PROGRAM_ID,
          settings: { ...DEFAULT_PROGRAM_SETTINGS, visitRewards: [{ ruleId: 'every-2', everyVisits: 2, points: 20 }] },
          now: now(),
        },
        state,
      ),
    );
    if (E.isLeft(configured)) throw new Error('program not configured');
  });
  afterEach(async () => {
    await fx.close();
  });

  const enrol = async (customerId: string) => {
    await runner.run(customers, accountStream(customerId), context(), (state) =>
      enrolCustomer({ type: 'EnrolCustomer', customerId, email: `${customerId}@example.com`, now: now() }, state),
    );
  };
  const visit = async (customerId: string, n: number) => {
    for (let i = 0; i < n; i++) {
      const visitId = randomUUID();
      await runner.run(customers, accountStream(customerId), context(), (state) =>
        recordVisit(
          {
            type: 'RecordVisit',
            customerId,
            visitId,
            locationId: 'store-1',
            occurredAt: '2026-11-20T10:00:00.000Z',
            kind: 'browse',
            source: 'manual',
            now: now(),
          },
          state,
        ),
      );
    }
  };
  const rewardsOf = async (customerId: string) => (await fx.store.readStream(accountStream(customerId))).events.filter((e) => e.type === 'PointsAdjusted');

  /** What the API's dispatch does, without Nest: react, then issue each command through the real command loop. */
  const handler = () => new IssueRewardHandler(runner, customers, new ProgramStreams(fx.store));
  const dispatch: DispatchReactions = async (requests) =>
    (await Promise.all(requests.map((r) => issueReactions(r, (command) => handler().execute(command), now)))).flat();

  it('issues each reward once when a crash after the commands lost the checkpoint, and the batch runs again', async () => {
    await enrol('cus-a');
    await visit('cus-a', 5);
    let crashes = 0;
    const crashingOnce: DispatchReactions = async (requests) => {
      const outcomes = await dispatch(requests);
      if (crashes++ === 0) throw new Error('crash after the commands, before the checkpoint');
      return outcomes;
    };
    const first = new ReactionRunner(fx.store, fx.database, crashingOnce);
    await expect(first.step()).rejects.toThrow(/crash after the commands/);
    expect(await first.checkpoint()).toBe(0n);
    expect(await rewardsOf('cus-a')).toHaveLength(2); // applied before the crash

    const head = await fx.store.headPosition();
    expect(await new ReactionRunner(fx.store, fx.database, crashingOnce).catchUp()).toBe(head);
    expect((await rewardsOf('cus-a')).map((e) => e.data['reason'])).toEqual(['visit reward: 2nd visit', 'visit reward: 4th visit']);
    expect(await fx.store.headPosition()).toBe(head);
  });

  it('records a refused command in reaction_refusals with the checkpoint, and moves on to the next events', async () => {
    // A stream with visits but no enrolment (written around the command loop, say by a faulty
    // import): the domain refuses its reward every time.
    const ghostVisit = (n: number) => ({
      id: randomUUID(),
      type: 'VisitCreated',
      data: { visitId: `ghost-${n}`, customerId: 'cus-ghost', locationId: 'store-1', occurredAt: '2026-11-20T10:00:00.000Z', kind: 'browse', source: 'scan' },
      metadata: { commandId: randomUUID(), recordedAt: now().toISOString(), actor: 'import' },
    });
    expect(E.isRight(await fx.store.appendToStream(accountStream('cus-ghost'), 'no_stream', [ghostVisit(1), ghostVisit(2)]))).toBe(true);
    await enrol('cus-b');
    await visit('cus-b', 2);
    const refused: string[] = [];
    const reactions = new ReactionRunner(fx.store, fx.database, dispatch, { batchSize: 3, onRefused: (o) => refused.push(o.reaction.command.customerId) });
    const head = await reactions.catchUp();
    expect(head).toBe(await fx.store.headPosition());
    expect(await rewardsOf('cus-b')).toHaveLength(1);
    expect(refused).toEqual(['cus-ghost']);
    const rows = await fx.database.db.selectFrom('reaction_refusals').selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ customer_id: 'cus-ghost', rule_id: 'every-2', kind: 'reward', error: 'CustomerNotFound' })]);

    // Run again from 0 (the checkpoint lost): the refusal is recorded once, the reward issued once.
    await fx.database.db.deleteFrom('projection_checkpoints').execute();
    await new ReactionRunner(fx.store, fx.database, dispatch).catchUp();
    expect(await fx.database.db.selectFrom('reaction_refusals').selectAll().execute()).toHaveLength(1);
    expect(await rewardsOf('cus-b')).toHaveLength(1);
  });

  it('gives the same rewards when two runners catch up at once', async () => {
    await enrol('cus-c');
    await visit('cus-c', 6);
    const a = new ReactionRunner(fx.store, fx.database, dispatch, { batchSize: 2 });
    const b = new ReactionRunner(fx.store, fx.database, dispatch, { batchSize: 2 });
    await Promise.all([a.catchUp(), b.catchUp()]);
    const head = await fx.store.headPosition();
    expect((await rewardsOf('cus-c')).map((e) => e.data['reason'])).toEqual(['visit reward: 2nd visit', 'visit reward: 4th visit', 'visit reward: 6th visit']);
    expect(await checkpoints(fx.database.db)).toEqual({ [REACTIONS_CHECKPOINT]: positionText(head) });
  });
});
