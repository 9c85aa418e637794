import { useEffect, useState } from "react";
import { JobState } from "../gen/holdhunter/v1/job_pb";
import { useSession } from "../app/session";
import { useRpcLoad } from "../app/useRpc";
import { useNow } from "../app/useNow";
import { jobHref } from "../app/route";
import { elapsedMs, enumLabel, formatAge } from "../display/format";
import { errorSummary } from "../errors/rpcError";

/** Auto-refresh period of the job list, in ms. */
const REFRESH_MS = 5000;

export function JobList() {
  const { clients } = useSession();
  const jobs = useRpcLoad((signal) => clients.jobs.listJobs({ pageSize: 50 }, { signal }));
  const [auto, setAuto] = useState(true);
  const now = useNow(1000);
  const { reload } = jobs;
  useEffect(() => {
    if (!auto) return;
    const t = setInterval(reload, REFRESH_MS);
    return () => clearInterval(t);
  }, [auto, reload]);

  const list = jobs.data?.jobs ?? [];
  return (
    <>
      <div className="section-head">
        <h2 id="jobs-heading">Jobs</h2>
        <button type="button" onClick={reload} disabled={jobs.loading}>
          Refresh
        </button>
        <label className="inline">
          <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> auto-refresh
        </label>
      </div>
      {jobs.error && (
        <p className="banner error" role="alert">
          Could not list jobs: {errorSummary(jobs.error)}
        </p>
      )}
      <table className="jobs">
        <caption className="visually-hidden">Jobs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">State</th>
            <th scope="col">Destination</th>
            <th scope="col">Lines</th>
            <th scope="col">Transfers</th>
            <th scope="col">Age</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {list.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                {jobs.loading ? "Loading…" : "No jobs yet."}
              </td>
            </tr>
          )}
          {list.map((job) => (
            <tr key={job.jobId}>
              <td>
                <a href={jobHref(job.jobId)}>{job.jobId}</a>
              </td>
              <td>
                <span className={`badge job-${JobState[job.state]?.toLowerCase() ?? "unknown"}`}>{enumLabel(JobState, job.state)}</span>
              </td>
              <td title={job.destinationNumber}>{job.destinationId}</td>
              <td>{job.lineCount}</td>
              <td>
                {job.transfers}/{job.maxTransfers}
              </td>
              <td>{formatAge(elapsedMs(job.createdAt, now) ?? 0)}</td>
              <td className="status-message">{job.statusMessage}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
