// Test support: renders screens with service clients over an in-memory router transport
// (the services are implemented by the test; no network).
import type { ReactNode } from "react";
import { createRouterTransport, type ConnectRouter } from "@connectrpc/connect";
import { createClients } from "../connection/transport";
import { SessionContext, type Session } from "./session";

export function testSession(routes: (router: ConnectRouter) => void): Session & { unauthenticated: number } {
  const s = {
    serverUrl: "http://hh.test",
    clients: createClients(createRouterTransport(routes)),
    tokenVersion: 0,
    unauthenticated: 0,
    reportUnauthenticated() {
      s.unauthenticated += 1;
    },
  };
  return s;
}

export function WithSession({ session, children }: { session: Session; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
