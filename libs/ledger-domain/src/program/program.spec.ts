import * as E from 'fp-ts/Either';
import { NOW } from '../testing/customer-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  DEFAULT_PROGRAM_ID,
  DEFAULT_PROGRAM_SETTINGS,
  programDecider,
  ProgramConfiguredDataC,
  ProgramSettingsC,
  programVersion,
  type ConfigureProgram,
  type ProgramConfigured,
  type ProgramSettings,
} from './program';
import { reportErrors } from '../shared/codecs';
import type { CashbackRule, VisitRewardRule } from './rules';
import { MAX_PENDING_DAYS, normaliseLifecycle, pendingDaysOf, reversalShortfallOf } from './lifecycle-settings';

const given = DeciderSpecification.for(programDecider);

const configure = (settings: Partial<ProgramSettings> = {}, expectedVersion?: number): ConfigureProgram => ({
  type: 'ConfigureProgram',
  programId: DEFAULT_PROGRAM_ID,
  settings: { ...DEFAULT_PROGRAM_SETTINGS, ...settings },
  ...(expectedVersion !== undefined && { expectedVersion }),
  now: NOW,
});

const configured = (version: number, settings: Partial<ProgramSettings> = {}): ProgramConfigured => ({
  type: 'ProgramConfigured',
  data: { programId: DEFAULT_PROGRAM_ID, version, effectiveFrom: '2026-01-01T00:00:00.000Z', ...DEFAULT_PROGRAM_SETTINGS, ...settings },
});

describe('Configuring the program', () => {
  it('configures version 1, effective from the server time', () => {
    given([])
      .when(configure({ pointsPerUnit: '2' }))
      .then([
        {
          type: 'ProgramConfigured',
          data: {
            programId: 'default',
            version: 1,
            effectiveFrom: '2026-03-10T12:00:00.000Z',
            currency: 'USD',
            pointsPerUnit: '2',
            timezone: 'UTC',
            negativeBalance: 'deny',
          },
        },
      ]);
  });

  it('increments the version on each change', () => {
    given([configured(1), configured(2, { pointsPerUnit: '2' })])
      .when(configure({ pointsPerUnit: '3' }))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 3, pointsPerUnit: '3' }) }]);
  });

  it.each<[string, Partial<ProgramSettings>]>([
    ['currency', { currency: 'EUR' }],
    ['points per unit', { pointsPerUnit: '1.5' }],
    ['timezone', { timezone: 'Europe/Dublin' }],
    ['negative balance policy', { negativeBalance: 'allow' }],
  ])('treats a change of %s alone as a new version', (_field, change) => {
    given([configured(1)])
      .when(configure(change))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 2, ...change }) }]);
  });

  it('records nothing when the same settings are saved again', () => {
    given([configured(1, { pointsPerUnit: '2' })])
      .when(configure({ pointsPerUnit: '2' }))
      .thenNothingHappened();
  });

  it('compares with the current settings, not the first ones', () => {
    given([configured(1), configured(2, { timezone: 'Asia/Tokyo' })])
      .when(configure({ timezone: 'Asia/Tokyo' }, 2))
      .thenNothingHappened();
    given([configured(1), configured(2, { timezone: 'Asia/Tokyo' })])
      .when(configure())
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 3, timezone: 'UTC' }) }]);
  });

  it('accepts an If-Match naming the current version', () => {
    given([configured(1), configured(2, { pointsPerUnit: '2' })])
      .when(configure({ pointsPerUnit: '4' }, 2))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 3 }) }]);
  });

  it('accepts If-Match version 0 for the first configuration', () => {
    given([])
      .when(configure({}, 0))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 1 }) }]);
  });

  it('refuses an If-Match naming a version that is no longer current', () => {
    given([configured(1), configured(2, { pointsPerUnit: '2' })])
      .when(configure({ pointsPerUnit: '4' }, 1))
      .thenFails('ProgramVersionMismatch', { expected: 1, actual: 2 });
  });

  it('refuses an If-Match naming a version that does not exist yet', () => {
    given([]).when(configure({}, 1)).thenFails('ProgramVersionMismatch', { expected: 1, actual: 0 });
  });

  it('refuses a stale If-Match even when the settings would not change', () => {
    given([configured(1), configured(2)])
      .when(configure({}, 1))
      .thenFails('ProgramVersionMismatch', { expected: 1, actual: 2 });
  });

  it('makes the new settings and version current', () => {
    given([configured(1)])
      .when(configure({ currency: 'JPY', negativeBalance: 'allow' }))
      .thenState((state) => {
        expect(state).toEqual({ status: 'Configured', version: 2, settings: { ...DEFAULT_PROGRAM_SETTINGS, currency: 'JPY', negativeBalance: 'allow' } });
        expect(programVersion(state)).toBe(2);
      });
  });

  it('reports version 0 while unconfigured', () => {
    expect(programVersion(programDecider.initialState())).toBe(0);
  });
});

describe('Program settings codec', () => {
  it('accepts the default settings', () => {
    expect(ProgramSettingsC.decode(DEFAULT_PROGRAM_SETTINGS)).toEqual(E.right(DEFAULT_PROGRAM_SETTINGS));
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown currency', { currency: 'XXX' }],
    ['a lower-case currency', { currency: 'usd' }],
    ['a zero ratio', { pointsPerUnit: '0' }],
    ['a ratio above 1000', { pointsPerUnit: '1000.5' }],
    ['a numeric ratio', { pointsPerUnit: 1 }],
    ['an unknown timezone', { timezone: 'Mars/Olympus_Mons' }],
    ['an unknown policy', { negativeBalance: 'sometimes' }],
  ])('refuses %s', (_what, change) => {
    expect(E.isLeft(ProgramSettingsC.decode({ ...DEFAULT_PROGRAM_SETTINGS, ...change }))).toBe(true);
  });
});

describe('Program rules', () => {
  const everyFifth: VisitRewardRule = { ruleId: 'visits-5', everyVisits: 5, points: 50 };
  const cashback: CashbackRule = { ruleId: 'cashback', percent: '2.5', sources: ['scan', 'online'] };

  it('records visit reward and cashback rules in the new version', () => {
    given([configured(1)])
      .when(configure({ visitRewards: [everyFifth], cashback: [cashback] }))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 2, visitRewards: [everyFifth], cashback: [cashback] }) }]);
  });

  it('reads back a version recorded before rules existed, and treats it as having none', () => {
    const old = {
      programId: 'default',
      version: 1,
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      currency: 'USD',
      pointsPerUnit: '1',
      timezone: 'UTC',
      negativeBalance: 'deny',
    };
    expect(E.isRight(ProgramConfiguredDataC.decode(old))).toBe(true);
    given([{ type: 'ProgramConfigured', data: old as ProgramConfigured['data'] }])
      .when(configure())
      .thenNothingHappened();
    given([{ type: 'ProgramConfigured', data: old as ProgramConfigured['data'] }])
      .when(configure({ visitRewards: [] }))
      .thenNothingHappened();
  });

  it('stores rules in one canonical order: the same rules written another way are not a change', () => {
    const written = { ruleId: 'r', everyVisits: 3, points: 9, sources: ['online', 'manual'], kinds: ['service', 'browse'] } as VisitRewardRule;
    given([configured(1)])
      .when(configure({ visitRewards: [written] }))
      .then([
        {
          type: 'ProgramConfigured',
          data: expect.objectContaining({
            visitRewards: [{ ruleId: 'r', everyVisits: 3, points: 9, kinds: ['browse', 'service'], sources: ['manual', 'online'] }],
          }),
        },
      ]);
    given([
      configured(1),
      configured(2, { visitRewards: [{ ruleId: 'r', everyVisits: 3, points: 9, kinds: ['browse', 'service'], sources: ['manual', 'online'] }] }),
    ])
      .when(configure({ visitRewards: [written] }))
      .thenNothingHappened();
  });

  it('removes the rules with an empty list: a new version without them', () => {
    given([configured(1), configured(2, { visitRewards: [everyFifth] })])
      .when(configure({ visitRewards: [] }))
      .thenState((state) => expect(state).toEqual({ status: 'Configured', version: 3, settings: DEFAULT_PROGRAM_SETTINGS }));
  });

  it('treats a change of a rule alone as a new version', () => {
    given([configured(1), configured(2, { visitRewards: [everyFifth] })])
      .when(configure({ visitRewards: [{ ...everyFifth, everyVisits: 3 }] }))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 3, visitRewards: [{ ...everyFifth, everyVisits: 3 }] }) }]);
  });

  it('refuses the same rule id in both lists', () => {
    given([configured(1)])
      .when(configure({ visitRewards: [everyFifth], cashback: [{ ...cashback, ruleId: 'visits-5' }] }))
      .thenFails('InvalidInput', { errors: [{ path: 'cashback[0].ruleId', message: 'expected a ruleId not used by a visit reward rule' }] });
  });

  const errorsOf = (settings: Record<string, unknown>) => {
    const decoded = ProgramSettingsC.decode({ ...DEFAULT_PROGRAM_SETTINGS, ...settings });
    return E.isLeft(decoded) ? reportErrors(decoded.left) : [];
  };

  it('refuses cashback on manual payments, naming the source and why', () => {
    expect(errorsOf({ cashback: [{ ruleId: 'c', percent: '5', sources: ['scan', 'manual'] }] })).toEqual([
      { path: 'cashback[0].sources[1]', message: 'expected "scan" or "online" (a manual payment never earns cashback)' },
    ]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a zero threshold', { visitRewards: [{ ...everyFifth, everyVisits: 0 }] }, 'visitRewards[0].everyVisits'],
    ['fractional points', { visitRewards: [{ ...everyFifth, points: 1.5 }] }, 'visitRewards[0].points'],
    ['an unknown field', { visitRewards: [{ ...everyFifth, every: 5 }] }, 'visitRewards[0].every'],
    ['an unknown kind', { visitRewards: [{ ...everyFifth, kinds: ['shopping'] }] }, 'visitRewards[0].kinds[0]'],
    ['an empty source list', { visitRewards: [{ ...everyFifth, sources: [] }] }, 'visitRewards[0].sources'],
    ['a repeated kind', { visitRewards: [{ ...everyFifth, kinds: ['browse', 'browse'] }] }, 'visitRewards[0].kinds'],
    ['a repeated rule id', { visitRewards: [everyFifth, everyFifth] }, 'visitRewards'],
    ['a zero percentage', { cashback: [{ ruleId: 'c', percent: '0' }] }, 'cashback[0].percent'],
    ['a percentage above 100', { cashback: [{ ruleId: 'c', percent: '100.5' }] }, 'cashback[0].percent'],
    ['a numeric percentage', { cashback: [{ ruleId: 'c', percent: 5 }] }, 'cashback[0].percent'],
    ['a rule id with spaces', { cashback: [{ ruleId: 'my rule', percent: '5' }] }, 'cashback[0].ruleId'],
    ['a rule object instead of a list', { cashback: { ruleId: 'c', percent: '5' } }, 'cashback'],
  ])('refuses %s, naming the path', (_what, settings, path) => {
    expect(errorsOf(settings).map((e) => e.path)).toContain(path);
  });

  it('accepts the boundaries: every visit, 100 % cashback', () => {
    expect(errorsOf({ visitRewards: [{ ...everyFifth, everyVisits: 1 }], cashback: [{ ruleId: 'c', percent: '100' }] })).toEqual([]);
  });
});

describe('Lifecycle settings: pendingDays and reversalShortfall', () => {
  const decode = (settings: Record<string, unknown>) => ProgramSettingsC.decode({ ...DEFAULT_PROGRAM_SETTINGS, ...settings });

  it.each([0, 1, 14, MAX_PENDING_DAYS])('accepts pendingDays %p', (pendingDays) => {
    expect(E.isRight(decode({ pendingDays }))).toBe(true);
  });

  it.each([-1, 366, 1.5, '14', null])('refuses pendingDays %p, naming the field', (pendingDays) => {
    const result = decode({ pendingDays });
    if (E.isRight(result)) throw new Error('expected a refusal');
    expect(reportErrors(result.left)).toEqual([expect.objectContaining({ path: 'pendingDays', message: expect.stringContaining('integer from 0 to 365') })]);
  });

  it('accepts the two shortfall policies and nothing else', () => {
    expect(E.isRight(decode({ reversalShortfall: 'debt' }))).toBe(true);
    expect(E.isRight(decode({ reversalShortfall: 'writeOff' }))).toBe(true);
    expect(E.isLeft(decode({ reversalShortfall: 'refuse' }))).toBe(true);
  });

  it('defaults to no window and to debt', () => {
    expect(pendingDaysOf({})).toBe(0);
    expect(reversalShortfallOf({})).toBe('debt');
    expect(normaliseLifecycle({ pendingDays: 0, reversalShortfall: 'debt' })).toEqual({});
    expect(normaliseLifecycle({ pendingDays: 14, reversalShortfall: 'writeOff' })).toEqual({ pendingDays: 14, reversalShortfall: 'writeOff' });
  });

  it('records a window and a policy in a new version', () => {
    given([configured(1)])
      .when(configure({ pendingDays: 14, reversalShortfall: 'writeOff' }))
      .then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 2, pendingDays: 14, reversalShortfall: 'writeOff' }) }]);
  });

  it('treats saving the defaults explicitly as no change, and stores no default', () => {
    given([configured(1)])
      .when(configure({ pendingDays: 0, reversalShortfall: 'debt' }))
      .thenNothingHappened();
    given([configured(1), configured(2, { pendingDays: 14 })])
      .when(configure({ pendingDays: 0 }))
      .then([{ type: 'ProgramConfigured', data: expect.not.objectContaining({ pendingDays: expect.anything() }) }]);
  });
});
