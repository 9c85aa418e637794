import { useState } from "react";
import { useSession } from "../app/session";
import { useRpcAction, useRpcLoad } from "../app/useRpc";
import { errorSummary } from "../errors/rpcError";

export function QueuesPanel() {
  const { clients } = useSession();
  const run = useRpcAction();
  const queues = useRpcLoad((signal) => clients.queues.listQueues({}, { signal }));
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");

  async function act(label: string, call: () => Promise<string>) {
    setBusy(true);
    setError("");
    setMessage("");
    const res = await run(call);
    setBusy(false);
    if (res.ok) {
      setMessage(res.value);
      queues.reload();
    } else setError(`${label} failed: ${errorSummary(res.error)}`);
  }

  const list = queues.data?.queues ?? [];
  return (
    <>
      <div className="section-head">
        <h2 id="queues-heading">Call queues</h2>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            act("Sync queues", async () => {
              const r = await clients.queues.syncQueues({});
              return `Synced ${r.queues.length} call queue(s) from RingCentral.`;
            })
          }
        >
          Sync from RingCentral
        </button>
      </div>
      {message && (
        <p className="banner ok" role="status">
          {message}
        </p>
      )}
      {(error || queues.error) && (
        <p className="banner error" role="alert">
          {error || (queues.error && `Could not list queues: ${errorSummary(queues.error)}`)}
        </p>
      )}
      <table className="queues">
        <caption className="visually-hidden">Call queues</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Ext</th>
            <th scope="col">Status</th>
            <th scope="col">Default</th>
          </tr>
        </thead>
        <tbody>
          {list.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                {queues.loading ? "Loading…" : "No call queues: sync from RingCentral."}
              </td>
            </tr>
          )}
          {list.map((q) => (
            <tr key={q.queueId}>
              <td title={q.queueId}>{q.name || q.queueId}</td>
              <td>{q.extensionNumber}</td>
              <td>{q.status}</td>
              <td>
                {q.isDefault ? (
                  <span className="badge ok">default</span>
                ) : (
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Make ${q.name || q.queueId} the default queue`}
                    onClick={() =>
                      act("Set default queue", async () => {
                        const r = await clients.queues.setDefaultQueue({ queueId: q.queueId });
                        return `${r.queue?.name || q.queueId} is now the default queue.`;
                      })
                    }
                  >
                    Make default
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
