import { StartJobForm } from "./StartJobForm";
import { JobList } from "./JobList";

export function JobsScreen() {
  return (
    <div className="jobs-screen">
      <section aria-labelledby="start-heading" className="panel">
        <h1 id="start-heading">Start a hunt</h1>
        <StartJobForm />
      </section>
      <section aria-labelledby="jobs-heading" className="panel grow">
        <JobList />
      </section>
    </div>
  );
}
