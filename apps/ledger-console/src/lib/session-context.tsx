import { createContext, useContext } from 'react';
import type { Api } from './api';
import type { Format } from './format';
import type { Capabilities, Role } from './session';
import type { Program } from './types';

/** The signed-in key: what it may do, the program (currency, timezone), and the formatters that follow from it. */
export interface Session {
  readonly api: Api;
  readonly capabilities: Capabilities;
  readonly role: Role;
  /** null while the program is not configured. */
  readonly program: Program | null;
  readonly format: Format;
  /** The program as the latest answer of GET /program had it (null: not configured). */
  setProgram(program: Program | null): void;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside a signed-in console');
  return session;
}
