import { useState } from "react";
import { DeviceStatus, type Line } from "../gen/holdhunter/v1/line_pb";
import { useSession } from "../app/session";
import { useRpcAction, useRpcLoad } from "../app/useRpc";
import { jobHref } from "../app/route";
import { enumLabel } from "../display/format";
import { errorSummary } from "../errors/rpcError";

export function LinesPanel() {
  const { clients } = useSession();
  const run = useRpcAction();
  const lines = useRpcLoad((signal) => clients.lines.listLines({ pageSize: 1000 }, { signal }));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [poolName, setPoolName] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState("");
  const [error, setError] = useState("");

  const list: Line[] = lines.data?.lines ?? [];
  const selectedIds = list.filter((l) => selected.has(l.lineId)).map((l) => l.lineId);

  function toggle(id: string, on: boolean) {
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  }

  async function act(label: string, call: () => Promise<string>) {
    setBusy(true);
    setError("");
    setMessage("");
    const res = await run(call, ["pool", "line_ids"]);
    setBusy(false);
    if (res.ok) {
      setMessage(res.value);
      lines.reload();
    } else setError(`${label} failed: ${errorSummary(res.error)}`);
  }

  const sync = () =>
    act("Sync lines", async () => {
      const r = await clients.lines.syncLines({});
      return `Synced from RingCentral: ${r.added} added, ${r.updated} updated, ${r.missing} missing.`;
    });
  const setEnabled = (enabled: boolean) =>
    act(enabled ? "Enable" : "Disable", async () => {
      const r = await clients.lines.setLinesEnabled({ lineIds: selectedIds, enabled });
      return `${r.lines.length} line(s) ${enabled ? "enabled" : "disabled"}.`;
    });
  const setPool = () =>
    act("Set pool", async () => {
      const r = await clients.lines.setLinesPool({ lineIds: selectedIds, pool: poolName.trim() });
      return poolName.trim() ? `${r.lines.length} line(s) moved to pool ${poolName.trim()}.` : `${r.lines.length} line(s) removed from their pool.`;
    });

  const allSelected = list.length > 0 && selectedIds.length === list.length;
  return (
    <>
      <div className="section-head">
        <h1 id="lines-heading">Hold lines</h1>
        <button type="button" onClick={sync} disabled={busy}>
          Sync from RingCentral
        </button>
        <button type="button" onClick={lines.reload} disabled={lines.loading}>
          Refresh
        </button>
      </div>
      <div className="toolbar" role="group" aria-label="Actions on selected lines">
        <span>{selectedIds.length} selected</span>
        <button type="button" onClick={() => setEnabled(true)} disabled={busy || selectedIds.length === 0}>
          Enable
        </button>
        <button type="button" onClick={() => setEnabled(false)} disabled={busy || selectedIds.length === 0}>
          Disable
        </button>
        <label htmlFor="pool-name">Pool</label>
        <input id="pool-name" type="text" value={poolName} onChange={(e) => setPoolName(e.target.value)} placeholder="empty removes" />
        <button type="button" onClick={setPool} disabled={busy || selectedIds.length === 0}>
          Set pool
        </button>
      </div>
      {message && (
        <p className="banner ok" role="status">
          {message}
        </p>
      )}
      {(error || lines.error) && (
        <p className="banner error" role="alert">
          {error || (lines.error && `Could not list lines: ${errorSummary(lines.error)}`)}
        </p>
      )}
      <table className="lines">
        <caption className="visually-hidden">Hold lines</caption>
        <thead>
          <tr>
            <th scope="col">
              <input
                type="checkbox"
                aria-label="Select all lines"
                checked={allSelected}
                onChange={(e) => setSelected(e.target.checked ? new Set(list.map((l) => l.lineId)) : new Set())}
              />
            </th>
            <th scope="col">Ext</th>
            <th scope="col">Name</th>
            <th scope="col">Device</th>
            <th scope="col">Status</th>
            <th scope="col">Enabled</th>
            <th scope="col">Pool</th>
            <th scope="col">In use by</th>
          </tr>
        </thead>
        <tbody>
          {list.length === 0 && (
            <tr>
              <td colSpan={8} className="muted">
                {lines.loading ? "Loading…" : "No lines: sync from RingCentral."}
              </td>
            </tr>
          )}
          {list.map((l) => (
            <tr key={l.lineId} className={l.enabled ? "" : "disabled-row"}>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select line ${l.extensionNumber} ${l.lineId}`}
                  checked={selected.has(l.lineId)}
                  onChange={(e) => toggle(l.lineId, e.target.checked)}
                />
              </td>
              <td>{l.extensionNumber}</td>
              <td>{l.name}</td>
              <td title={l.lineId}>
                {l.deviceName || l.lineId} <span className="muted">{l.deviceType}</span>
              </td>
              <td>
                <span className={`badge dev-${(DeviceStatus[l.deviceStatus] ?? "x").toLowerCase()}`}>{enumLabel(DeviceStatus, l.deviceStatus)}</span>
              </td>
              <td>{l.enabled ? "yes" : "no"}</td>
              <td>{l.pool || <span className="muted">—</span>}</td>
              <td>{l.inUseByJobId ? <a href={jobHref(l.inUseByJobId)}>{l.inUseByJobId}</a> : <span className="muted">free</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
