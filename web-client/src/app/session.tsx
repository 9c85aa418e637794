// The dashboard session: server URL, API token and the service clients, shared by all screens.
import { createContext, useContext } from "react";
import type { HoldHunterClients } from "../connection/transport";

export interface Session {
  serverUrl: string;
  clients: HoldHunterClients;
  /** Bumped whenever the token changes, so screens reload what the old token could not read. */
  tokenVersion: number;
  /** True when some call was rejected as UNAUTHENTICATED since the token last changed. */
  reportUnauthenticated(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside <SessionContext.Provider>");
  return s;
}
