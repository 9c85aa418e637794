// Hash routes: "#/jobs", "#/jobs/<job id>", "#/lines". The query string (?server=) is kept.
import { useEffect, useState } from "react";

export type Route = { screen: "jobs" } | { screen: "job"; jobId: string } | { screen: "lines" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, "");
  const [first, second] = path.split("/");
  if (first === "jobs" && second) return { screen: "job", jobId: decodeURIComponent(second) };
  if (first === "lines") return { screen: "lines" };
  return { screen: "jobs" };
}

export function jobHref(jobId: string): string {
  return `#/jobs/${encodeURIComponent(jobId)}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
