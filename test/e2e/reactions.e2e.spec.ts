import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedEvent } from '#event-store/event-store.port';
import { enrolCustomer, startLedger, type RunningLedger } from '../support/ledger-app';
import { accountEvents, expectInvalid, expectNothingWritten, expectProblem, head, historyOf, paymentBody, visitBody } from '../support/e2e';
import { tempDir } from '../support/temp-dir';

/**
 * Program rules and their reactions, end to end: rules set with PUT /program, visits and payments
 * recorded over HTTP, rewards and cashback issued by the reaction runner from the persisted log,
 * across restarts, lost read models and downtime.
 */

const EVERY_FIFTH_VISIT = { ruleId: 'visits-5', everyVisits: 5, points: 50 };

/** Resolves once the reactions have read the whole log (their own rewards included) and nothing moves. */
async function reactionsSettled(ledger: RunningLedger): Promise<bigint> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const status = await ledger.request('GET', '/reactions');
    expect(status.body).toMatchObject({ mode: 'inline' });
    if (status.body.checkpoint === status.body.head && BigInt(status.body.head) === (await head(ledger))) {
      expect(status.body).toMatchObject({ ok: true, refused: 0 });
      return BigInt(status.body.head);
    }
    if (Date.now() > deadline) throw new Error(`reactions did not settle: ${JSON.stringify(status.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const issued = (events: readonly RecordedEvent[], kind: 'reward' | 'cashback') => events.filter((e) => e.type === 'PointsAdjusted' && e.data['kind'] === kind);

async function recordVisits(ledger: RunningLedger, customerId: string, count: number): Promise<RecordedEvent[]> {
  for (let i = 0; i < count; i++) {
    const response = await ledger.request('POST', `/customers/${customerId}/visits`, visitBody({ source: i % 2 === 0 ? 'manual' : 'scan' }));
    expect(response.status).toBe(201);
  }
  return (await accountEvents(ledger, customerId)).filter((e) => e.type === 'VisitCreated');
}

describe('visit rewards across a restart with the read models lost', () => {
  const dir = tempDir('reactions-restart-');
  afterAll(() => dir.cleanup());

  it('issues exactly two rewards for 12 visits, and still exactly two after a restart that replays projections and reactions from 0', async () => {
    const first = await startLedger({ dataDir: dir.path });
    let customerId: string;
    let visits: RecordedEvent[];
    let settledAt: bigint;
    try {
      const configured = await first.request('PUT', '/program', { visitRewards: [EVERY_FIFTH_VISIT] });
      expect(configured.body).toMatchObject({ version: 2, visitRewards: [EVERY_FIFTH_VISIT], cashback: [] });
      customerId = await enrolCustomer(first);
      visits = await recordVisits(first, customerId, 12);
      settledAt = await reactionsSettled(first);

      const rewards = issued(await accountEvents(first, customerId), 'reward');
      expect(rewards.map((e) => e.data)).toEqual(
        [5, 10].map((n) => ({
          adjustmentId: expect.any(String),
          customerId,
          kind: 'reward',
          points: 50,
          reason: `visit reward: ${n}th visit`,
          reference: visits[n - 1]!.data['visitId'],
          ruleId: 'visits-5',
          programVersion: 2,
          occurredAt: visits[n - 1]!.data['occurredAt'],
        })),
      );
      // Caused by the visit it rewards, recorded by the reactions, correlated with the visit's request.
      expect(rewards.map((e) => e.metadata)).toEqual(
        [5, 10].map((n) =>
          expect.objectContaining({ causationId: visits[n - 1]!.id, correlationId: visits[n - 1]!.metadata['correlationId'], actor: 'system:reactions' }),
        ),
      );

      const history = await historyOf(first, customerId);
      expect(history.balance).toBe(100);
      expect(history.entries.filter((e) => e.kind === 'reward').map((e) => [e.ruleId, e.programVersion, e.reason, e.pointsDelta])).toEqual([
        ['visits-5', 2, 'visit reward: 5th visit', 50],
        ['visits-5', 2, 'visit reward: 10th visit', 50],
      ]);
      const achievements = await first.request('GET', `/customers/${customerId}/achievements?minPosition=${settledAt}`);
      expect(achievements.status).toBe(200);
      expect(achievements.body).toMatchObject({ customerId, visits: 12, level: 2, rewardPoints: 100, lastVisitAt: '2025-06-01T10:00:00.000Z' });
      expect((await first.request('GET', `/customers/${customerId}/balance?minPosition=${settledAt}`)).body).toMatchObject({
        available: 100,
        lifetimeEarned: 100,
        adjustedIn: 0,
      });
    } finally {
      await first.close({ keepData: true });
    }

    // Lose the read-model database, and with it the projection's and the reactions' checkpoints.
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir.path, `read-models.sqlite${suffix}`), { force: true });
    const second = await startLedger({ dataDir: dir.path });
    try {
      expect(await reactionsSettled(second)).toBe(settledAt); // every reaction re-issued, none written again
      expect(issued(await accountEvents(second, customerId), 'reward')).toHaveLength(2);
      const metrics = (await second.request('GET', '/metrics')).body as string;
      expect(metrics).toContain('ledger_reaction_commands_total{kind="reward",outcome="replayed"} 2');
      expect(metrics).not.toContain('outcome="applied"');
      const achievements = await second.request('GET', `/customers/${customerId}/achievements?minPosition=${settledAt}`);
      expect(achievements.body).toMatchObject({ visits: 12, level: 2, rewardPoints: 100 });

      // And the rules carry on where they were: visits 13 to 15, one more reward.
      await recordVisits(second, customerId, 3);
      await reactionsSettled(second);
      expect(issued(await accountEvents(second, customerId), 'reward').map((e) => e.data['reason'])).toEqual([
        'visit reward: 5th visit',
        'visit reward: 10th visit',
        'visit reward: 15th visit',
      ]);
    } finally {
      await second.close({ keepData: true });
    }
  });
});

describe('cashback and rule changes', () => {
  let ledger: RunningLedger;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(async () => {
    await ledger.close();
  });

  it('pays cashback on scan and online payments, never on a manual one, at the rule version in force when each was recorded', async () => {
    expect((await ledger.request('PUT', '/program', { cashback: [{ ruleId: 'cashback', percent: '10' }] })).status).toBe(200);
    const customerId = await enrolCustomer(ledger);
    const pay = async (amount: string, source: string) =>
      (await ledger.request('POST', `/customers/${customerId}/payments`, paymentBody({ amount, source }))).body.paymentId as string;
    const manual = await pay('50.00', 'manual');
    const scan = await pay('50.00', 'scan');
    const online = await pay('20.09', 'online');
    const { body: changed } = await ledger.request('PUT', '/program', { cashback: [{ ruleId: 'cashback', percent: '20', sources: ['online'] }] });
    const scanAfter = await pay('50.00', 'scan');
    const onlineAfter = await pay('50.00', 'online');
    await reactionsSettled(ledger);

    const cashback = issued(await accountEvents(ledger, customerId), 'cashback').map((e) => [
      e.data['reference'],
      e.data['points'],
      e.data['programVersion'],
      e.data['reason'],
    ]);
    expect(cashback).toEqual([
      [scan, 5, changed.version - 1, 'cashback: 10% of 50.00 USD'],
      [online, 2, changed.version - 1, 'cashback: 10% of 20.09 USD'], // 2.009 → 2
      [onlineAfter, 10, changed.version, 'cashback: 20% of 50.00 USD'],
    ]);
    expect(cashback.map(([reference]) => reference)).not.toContain(manual);
    expect(cashback.map(([reference]) => reference)).not.toContain(scanAfter);
    const history = await historyOf(ledger, customerId);
    expect(history.balance).toBe(50 + 50 + 20 + 50 + 50 + 5 + 2 + 10);
  });

  it('refuses rules that would pay cashback on manual payments, or reuse a rule id, with 400 and writes nothing', async () => {
    const manual = await expectNothingWritten(ledger, () =>
      ledger.request('PUT', '/program', { cashback: [{ ruleId: 'c', percent: '5', sources: ['manual'] }] }),
    );
    expectInvalid(manual, 'cashback[0].sources[0]');
    expect(manual.body.errors[0].message).toMatch(/manual payment never earns cashback/);
    expectInvalid(
      await expectNothingWritten(ledger, () =>
        ledger.request('PUT', '/program', { visitRewards: [EVERY_FIFTH_VISIT], cashback: [{ ruleId: 'visits-5', percent: '5' }] }),
      ),
      'cashback[0].ruleId',
    );
    expectInvalid(
      await expectNothingWritten(ledger, () => ledger.request('PUT', '/program', { visitRewards: [{ ...EVERY_FIFTH_VISIT, everyVisits: 0 }] })),
      'visitRewards[0].everyVisits',
    );
  });

  it('answers 404 for the achievements of an unknown customer and 400 for a bad minPosition', async () => {
    expectProblem(await ledger.request('GET', '/customers/6b1f8fa1-a70f-5f3a-b4fc-e60911a01df0/achievements'), 404, 'customer-not-found');
    const customerId = await enrolCustomer(ledger);
    expectProblem(await ledger.request('GET', `/customers/${customerId}/achievements?minPosition=soon`), 400, 'invalid-input');
  });
});

describe('downtime: reactions off while visits are recorded', () => {
  const dir = tempDir('reactions-downtime-');
  afterAll(() => dir.cleanup());

  it('catches up when turned on: the reward for visits recorded meanwhile appears', async () => {
    const off = await startLedger({ dataDir: dir.path, reactions: 'off' });
    let customerId: string;
    try {
      await off.request('PUT', '/program', { visitRewards: [EVERY_FIFTH_VISIT] });
      customerId = await enrolCustomer(off);
      await recordVisits(off, customerId, 6);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(issued(await accountEvents(off, customerId), 'reward')).toEqual([]);
      expect((await off.request('GET', '/reactions')).body).toMatchObject({ mode: 'off', checkpoint: '0' });
    } finally {
      await off.close({ keepData: true });
    }
    const on = await startLedger({ dataDir: dir.path });
    try {
      await reactionsSettled(on);
      expect(issued(await accountEvents(on, customerId), 'reward').map((e) => e.data['reason'])).toEqual(['visit reward: 5th visit']);
    } finally {
      await on.close({ keepData: true });
    }
  });
});
