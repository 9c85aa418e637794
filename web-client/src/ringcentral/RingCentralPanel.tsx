// What the server sees of RingCentral: authentication, the webhook subscription it owns, and
// the rate-limit groups (CheckRingCentral). Webhook events only flow while the subscription is
// Active, so this tells an operator whether leg states will update promptly.
import { useSession } from "../app/session";
import { useRpcLoad } from "../app/useRpc";
import { formatClock } from "../display/format";
import { errorSummary } from "../errors/rpcError";

export function RingCentralPanel() {
  const { clients } = useSession();
  const check = useRpcLoad((signal) => clients.ringcentral.checkRingCentral({}, { signal }));
  const c = check.data;
  const sub = c?.subscription;
  return (
    <>
      <div className="section-head">
        <h2 id="rc-heading">RingCentral</h2>
        <button type="button" onClick={check.reload} disabled={check.loading}>
          Check
        </button>
      </div>
      {check.error && (
        <p className="banner error" role="alert">
          Could not check RingCentral: {errorSummary(check.error)}
        </p>
      )}
      {c && (
        <dl className="facts" data-testid="ringcentral">
          <div>
            <dt>Server</dt>
            <dd className="mono">{c.serverUrl}</dd>
          </div>
          <div>
            <dt>Authenticated</dt>
            <dd>{c.authenticated ? "yes" : `no${c.authError ? `: ${c.authError}` : ""}`}</dd>
          </div>
          <div>
            <dt>Webhook subscription</dt>
            <dd data-testid="subscription-status" data-status={sub?.status ?? "none"}>
              {sub ? (
                <>
                  <span className={`badge ${sub.status === "Active" ? "ok" : "job-failed"}`}>{sub.status}</span>{" "}
                  <span className="muted">
                    {sub.subscriptionId}
                    {sub.expiresAt && `, expires ${formatClock(sub.expiresAt).slice(0, 8)}`}
                    {sub.blacklistedReason && ` — ${sub.blacklistedReason}`}
                  </span>
                </>
              ) : (
                <span className="badge job-failed">none</span>
              )}
            </dd>
          </div>
          {c.rateLimits.length > 0 && (
            <div>
              <dt>Rate limits (remaining/limit per window)</dt>
              <dd>
                {c.rateLimits.map((g) => (
                  <span key={g.group} className="rate">
                    {g.group} {g.remaining}/{g.limit} per {g.windowS}s
                  </span>
                ))}
              </dd>
            </div>
          )}
        </dl>
      )}
    </>
  );
}
