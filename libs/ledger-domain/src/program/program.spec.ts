import * as E from 'fp-ts/Either';
import { NOW } from '../testing/customer-fixtures';
import { DeciderSpecification } from '../testing/decider-specification';
import {
  DEFAULT_PROGRAM_ID,
  DEFAULT_PROGRAM_SETTINGS,
  programDecider,
  ProgramSettingsC,
  programVersion,
  type ConfigureProgram,
  type ProgramConfigured,
  type ProgramSettings,
} from './program';

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
    given([configured(1)]).when(configure(change)).then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 2, ...change }) }]);
  });

  it('records nothing when the same settings are saved again', () => {
    given([configured(1, { pointsPerUnit: '2' })]).when(configure({ pointsPerUnit: '2' })).thenNothingHappened();
  });

  it('compares with the current settings, not the first ones', () => {
    given([configured(1), configured(2, { timezone: 'Asia/Tokyo' })]).when(configure({ timezone: 'Asia/Tokyo' }, 2)).thenNothingHappened();
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
    given([]).when(configure({}, 0)).then([{ type: 'ProgramConfigured', data: expect.objectContaining({ version: 1 }) }]);
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
    given([configured(1), configured(2)]).when(configure({}, 1)).thenFails('ProgramVersionMismatch', { expected: 1, actual: 2 });
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
