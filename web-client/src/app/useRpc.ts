// Loading unary RPC results into component state, with errors reduced for display.
import { useCallback, useEffect, useRef, useState } from "react";
import { Code } from "@connectrpc/connect";
import { describeRpcError, type RpcErrorView } from "../errors/rpcError";
import { useSession } from "./session";

export interface Loaded<T> {
  data?: T;
  error?: RpcErrorView;
  loading: boolean;
  reload(): void;
}

/**
 * Calls `load` on mount, whenever the token changes, and on `reload()`. Stale answers (an
 * older call finishing after a newer one) are dropped. UNAUTHENTICATED is reported to the
 * session so the token banner shows.
 */
export function useRpcLoad<T>(load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const session = useSession();
  const [state, setState] = useState<{ data?: T; error?: RpcErrorView; loading: boolean }>({ loading: true });
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    loadRef.current(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (err: unknown) => {
        if (ac.signal.aborted) return;
        const error = describeRpcError(err);
        if (error.code === Code.Unauthenticated) session.reportUnauthenticated();
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => ac.abort();
  }, [nonce, session.tokenVersion, session.clients, session.reportUnauthenticated]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}

/** Runs a command RPC; returns its error (reduced) or undefined on success. */
export function useRpcAction() {
  const session = useSession();
  return useCallback(
    async <T,>(run: () => Promise<T>, knownFields: readonly string[] = []): Promise<{ ok: true; value: T } | { ok: false; error: RpcErrorView }> => {
      try {
        return { ok: true, value: await run() };
      } catch (err) {
        const error = describeRpcError(err, knownFields);
        if (error.code === Code.Unauthenticated) session.reportUnauthenticated();
        return { ok: false, error };
      }
    },
    [session],
  );
}
