import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { CurrencyCodeC, IanaTimezone, PointsPerUnit, SafeInteger } from '../shared/codecs';
import type { LedgerError } from '../shared/errors';
import { LIFECYCLE_SETTINGS, normaliseLifecycle } from './lifecycle-settings';
import { normaliseTiers, TIER_SETTINGS } from './tiers';
import { checkRules, normaliseRules, RULE_SETTINGS } from './rules';

/**
 * The loyalty program: the settings every earning decision reads. Each change is a new
 * `ProgramConfigured` event and a new version, in force from its position in the log; a payment
 * records the version and ratio it used, and a reward the version and rule that issued it, so
 * replaying history never depends on today's settings.
 */

const REQUIRED_SETTINGS = {
  /** ISO 4217 code every payment must be in. */
  currency: CurrencyCodeC,
  /** Points per one whole unit of currency, as a decimal string ("1" = 1 point per 1.00). */
  pointsPerUnit: PointsPerUnit,
  /** IANA timezone for day boundaries (reports, expiry). */
  timezone: IanaTimezone,
  /** "deny": no command may take the available balance below zero; "allow": manual adjustments may. */
  negativeBalance: t.keyof({ deny: null, allow: null }),
};

/** Every setting, by name (a `PUT /program` body may carry any subset). */
export const PROGRAM_SETTINGS_PROPS = { ...REQUIRED_SETTINGS, ...RULE_SETTINGS, ...LIFECYCLE_SETTINGS, ...TIER_SETTINGS };

/** What a program is configured with: the earning settings, and optionally its rules (`rules.ts`) and lifecycle (`lifecycle-settings.ts`). */
export const ProgramSettingsC = t.intersection([t.type(REQUIRED_SETTINGS), t.partial({ ...RULE_SETTINGS, ...LIFECYCLE_SETTINGS, ...TIER_SETTINGS })]);
export type ProgramSettings = t.TypeOf<typeof ProgramSettingsC>;

export const DEFAULT_PROGRAM_SETTINGS: ProgramSettings = {
  currency: 'USD',
  pointsPerUnit: '1',
  timezone: 'UTC',
  negativeBalance: 'deny',
};

/** The one program this service runs; the id is in the stream name so more can follow. */
export const DEFAULT_PROGRAM_ID = 'default';

export const ProgramConfiguredDataC = t.intersection([t.type({ programId: t.string, version: SafeInteger, effectiveFrom: t.string }), ProgramSettingsC]);
export interface ProgramConfigured {
  readonly type: 'ProgramConfigured';
  readonly data: t.TypeOf<typeof ProgramConfiguredDataC>;
}
export type ProgramEvent = ProgramConfigured;

export type ProgramState =
  { readonly status: 'Unconfigured' } | { readonly status: 'Configured'; readonly version: number; readonly settings: ProgramSettings };

/** A program as a command sees it: the settings and the version they belong to. */
export interface ProgramSnapshot {
  readonly version: number;
  readonly settings: ProgramSettings;
}

export interface ConfigureProgram {
  readonly type: 'ConfigureProgram';
  readonly programId: string;
  readonly settings: ProgramSettings;
  /** From `If-Match`: the version the caller last saw; the change is refused if it moved on. */
  readonly expectedVersion?: number;
  readonly now: Date;
}

export const initialProgramState = (): ProgramState => ({ status: 'Unconfigured' });

export const programVersion = (state: ProgramState): number => (state.status === 'Configured' ? state.version : 0);

export function decideProgram(command: ConfigureProgram, state: ProgramState): E.Either<LedgerError, readonly ProgramEvent[]> {
  const current = programVersion(state);
  if (command.expectedVersion !== undefined && command.expectedVersion !== current) {
    return E.left({ _tag: 'ProgramVersionMismatch', expected: command.expectedVersion, actual: current });
  }
  const rulesChecked = checkRules(command.settings);
  if (E.isLeft(rulesChecked)) return rulesChecked;
  const settings = normaliseSettings(command.settings);
  // Saving the same settings again is not a change: no new version, nothing to audit.
  if (state.status === 'Configured' && sameSettings(state.settings, settings)) return E.right([]);
  return E.right([
    {
      type: 'ProgramConfigured',
      data: { programId: command.programId, version: current + 1, effectiveFrom: command.now.toISOString(), ...settings },
    },
  ]);
}

export function evolveProgram(_state: ProgramState, event: ProgramEvent): ProgramState {
  const { programId: _programId, version, effectiveFrom: _effectiveFrom, ...settings } = event.data;
  return { status: 'Configured', version, settings: normaliseSettings(settings) };
}

/**
 * Settings in canonical form, as they are stored: fields in a fixed order, rules normalised (no
 * empty lists, fixed order), lifecycle defaults left out. Equal meaning is then equal JSON.
 */
const normaliseSettings = (settings: ProgramSettings): ProgramSettings => ({
  currency: settings.currency,
  pointsPerUnit: settings.pointsPerUnit,
  timezone: settings.timezone,
  negativeBalance: settings.negativeBalance,
  ...normaliseRules(settings),
  ...normaliseLifecycle(settings),
  ...normaliseTiers(settings),
});

export const programDecider = { decide: decideProgram, evolve: evolveProgram, initialState: initialProgramState };

const sameSettings = (a: ProgramSettings, b: ProgramSettings): boolean => JSON.stringify(normaliseSettings(a)) === JSON.stringify(normaliseSettings(b));
