import { useCallback, useMemo, useRef, useState, type FormEvent } from "react";
import { createClients, createServerTransport } from "../connection/transport";
import { loadToken, resolveServerUrl, saveToken } from "../connection/settings";
import { SessionContext, type Session } from "./session";
import { useRoute } from "./route";
import { JobsScreen } from "../jobs/JobsScreen";
import { LiveJobScreen } from "../jobs/LiveJobScreen";
import { LinesScreen } from "../lines/LinesScreen";

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function App() {
  const serverUrl = useMemo(() => resolveServerUrl(window.location), []);
  const [token, setToken] = useState(() => loadToken(storage()));
  const [draft, setDraft] = useState(token);
  const [tokenVersion, setTokenVersion] = useState(0);
  const [unauthenticated, setUnauthenticated] = useState(false);
  const route = useRoute();

  // The interceptor reads the current token at call time; the clients never change.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const clients = useMemo(() => createClients(createServerTransport(serverUrl, () => tokenRef.current)), [serverUrl]);
  const reportUnauthenticated = useCallback(() => setUnauthenticated(true), []);
  const session: Session = useMemo(
    () => ({ serverUrl, clients, tokenVersion, reportUnauthenticated }),
    [serverUrl, clients, tokenVersion, reportUnauthenticated],
  );

  function onSaveToken(e: FormEvent) {
    e.preventDefault();
    const t = draft.trim();
    saveToken(storage(), t);
    setToken(t);
    setUnauthenticated(false);
    setTokenVersion((v) => v + 1);
  }

  return (
    <SessionContext.Provider value={session}>
      <header className="topbar">
        <a className="brand" href="#/jobs">
          Hold Hunter
        </a>
        <nav aria-label="Screens">
          <a href="#/jobs" aria-current={route.screen !== "lines" ? "page" : undefined}>
            Jobs
          </a>
          <a href="#/lines" aria-current={route.screen === "lines" ? "page" : undefined}>
            Lines &amp; queues
          </a>
        </nav>
        <span className="server" title="Server the dashboard talks to (grpc-web)">
          {serverUrl}
        </span>
        <form className="token" onSubmit={onSaveToken}>
          <label htmlFor="api-token">API token</label>
          <input
            id="api-token"
            type="password"
            autoComplete="off"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            placeholder="paste token"
          />
          <button type="submit">Use token</button>
          <span className="token-state" aria-live="polite">
            {token ? "token set" : "no token"}
          </span>
        </form>
      </header>
      {unauthenticated && (
        <div className="banner error" role="alert">
          The server rejected the request as unauthenticated: enter the API token above and press “Use token”.
        </div>
      )}
      <main>
        {route.screen === "jobs" && <JobsScreen />}
        {route.screen === "job" && <LiveJobScreen key={route.jobId} jobId={route.jobId} />}
        {route.screen === "lines" && <LinesScreen />}
      </main>
    </SessionContext.Provider>
  );
}
