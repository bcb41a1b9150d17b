import { ledgerTables } from './001-ledger-tables';
import { customerAchievements } from './002-customer-achievements';
import { fortyDigitPositions } from './003-forty-digit-positions';
import { pointsLifecycle } from './004-points-lifecycle';
import { lotExpiry } from './005-lot-expiry';
import { customerTiers } from './006-customer-tiers';
import type { Migration } from './migration';

export type { Migration } from './migration';

/**
 * Every released migration, in the order they run: applied at start-up, each once, recorded in
 * `read_model_migrations`. Append only; a schema change is a new file `NNN-<what>.ts` added here.
 */
export const MIGRATIONS: readonly Migration[] = [ledgerTables, customerAchievements, fortyDigitPositions, pointsLifecycle, lotExpiry, customerTiers];
