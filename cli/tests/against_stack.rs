//! `hh` against a real local stack (private redis-server, simulator, bridge, server) started
//! in-process with `holdhunter-devstack`: every command in table and JSON form, exit codes,
//! server-side INVALID_ARGUMENT naming the field, NOT_FOUND, and a missing / wrong token.
//! One stack serves every check (starting it takes a few seconds).

use assert_cmd::Command;
use holdhunter_devstack::{Stack, StackOptions};
use predicates::prelude::*;
use secrecy::ExposeSecret;
use serde_json::Value;

struct Env {
    server: String,
    token: String,
}

impl Env {
    fn hh(&self) -> Command {
        let mut cmd = Command::cargo_bin("hh").expect("hh binary");
        cmd.env("HH_SERVER", &self.server)
            .env("HH_TOKEN", &self.token)
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// Runs `args` with `-o json`, asserts success, parses stdout.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.hh().args(args).args(["-o", "json"]).assert().success();
        let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {stdout}"))
    }

    fn table(&self, args: &[&str]) -> String {
        let out = self.hh().args(args).assert().success();
        String::from_utf8(out.get_output().stdout.clone()).unwrap()
    }
}

#[test]
fn commands_against_a_live_stack() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let stack = runtime
        .block_on(Stack::start(StackOptions {
            seed: 42,
            ..StackOptions::default()
        }))
        .expect("stack starts");
    let env = Env {
        server: stack.server_url().to_string(),
        token: stack.api_token().expose_secret().to_string(),
    };

    // Authentication: missing and wrong tokens exit 7 and say what to do; never echo tokens.
    let mut cmd = Command::cargo_bin("hh").unwrap();
    cmd.env("HH_SERVER", &env.server)
        .env_remove("HH_TOKEN")
        .args(["lines", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("HH_TOKEN"));
    let mut cmd = Command::cargo_bin("hh").unwrap();
    cmd.env("HH_SERVER", &env.server)
        .env("HH_TOKEN", "test-wrong-token")
        .args(["queues", "list"])
        .assert()
        .code(7)
        .stderr(predicate::str::contains("test-wrong-token").not());

    // Lines and queues from the simulated account.
    let synced = env.json(&["lines", "sync"]);
    let lines = synced["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 12, "{synced}");
    assert_eq!(synced["added"], 12);
    let line_id = lines[0]["lineId"].as_str().unwrap().to_string();
    let other_line = lines[1]["lineId"].as_str().unwrap().to_string();
    assert!(env.table(&["lines", "list"]).starts_with("LINE"));
    let disabled = env.json(&["lines", "disable", &other_line]);
    assert_eq!(disabled["lines"][0]["enabled"], false);
    let enabled = env.json(&["lines", "enable", &other_line]);
    assert_eq!(enabled["lines"][0]["enabled"], true);
    let pooled = env.json(&["lines", "pool", "night-shift", &other_line]);
    assert_eq!(pooled["lines"][0]["pool"], "night-shift");
    let listed = env.json(&["lines", "list", "--pool", "night-shift"]);
    assert_eq!(listed["lines"].as_array().unwrap().len(), 1);
    let cleared = env.json(&["lines", "pool", "--clear", &other_line]);
    assert_eq!(cleared["lines"][0]["pool"], "");
    env.hh()
        .args(["lines", "enable", "no-such-line"])
        .assert()
        .code(8);

    let queues = env.json(&["queues", "sync"]);
    let queue_id = queues["queues"][0]["queueId"].as_str().unwrap().to_string();
    let default = env.json(&["queues", "default", &queue_id]);
    assert_eq!(default["isDefault"], true);
    assert!(env.table(&["queues", "list"]).contains(&queue_id));

    // Destinations.
    let destinations = env.json(&["destinations", "list"]);
    assert!(
        destinations["destinations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["destinationId"] == "irs-pps"),
        "{destinations}"
    );
    let pps = env.table(&["destinations", "show", "irs-pps"]);
    assert!(
        pps.contains("+18668604259") && pps.contains("Phone menu"),
        "{pps}"
    );
    env.hh()
        .args(["destinations", "show", "no-such-destination"])
        .assert()
        .code(8)
        .stderr(predicate::str::contains("not found"));

    // RingCentral views.
    let check = env.json(&["rc", "check"]);
    assert_eq!(check["authenticated"], true, "{check}");
    let extensions = env.json(&["rc", "extensions"]);
    assert!(extensions["extensions"].as_array().unwrap().len() >= 12);
    env.json(&["rc", "subscriptions"]);
    assert!(env.table(&["rc", "check"]).contains("Credentials  OK"));

    // Server-side INVALID_ARGUMENT names the field: exit 2.
    env.hh()
        .args(["start", "-d", "irs-pps", "--lines", "101"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line_count"));
    env.hh()
        .args(["start", "-d", "no-such-destination", "--lines", "1"])
        .assert()
        .code(8);

    // A job: start, get, list, hang up a leg, stop, watch (exit 3 STOPPED).
    let job = env.json(&[
        "start",
        "-d",
        "irs-pps",
        "--lines",
        "2",
        "--line",
        &line_id,
        "--line",
        &other_line,
    ]);
    let job_id = job["jobId"].as_str().unwrap().to_string();
    assert_eq!(job["state"], "JOB_STATE_HUNTING");
    assert_eq!(job["legs"].as_array().unwrap().len(), 2);
    let got = env.json(&["get", &job_id]);
    assert_eq!(got["jobId"], job_id.as_str());
    assert!(env.table(&["get", &job_id]).contains("leg-1"));
    let listed = env.json(&["list", "--state", "hunting"]);
    assert!(
        listed["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["jobId"] == job_id.as_str())
    );
    assert!(env.table(&["list"]).contains(&job_id));
    env.hh()
        .args(["start", "-d", "irs-pps", "--line", &line_id])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("LINE_IN_USE"));
    let hung = env.json(&["hangup", &job_id, "leg-2"]);
    assert_eq!(hung["legId"], "leg-2");
    env.hh().args(["hangup", &job_id, "leg-9"]).assert().code(8);
    let stopped = env.json(&["stop", &job_id]);
    assert_eq!(stopped["state"], "JOB_STATE_STOPPED");
    env.hh()
        .args(["confirm", &job_id, "leg-1"])
        .assert()
        .code(1);
    env.hh()
        .args(["transfer", &job_id, "leg-1"])
        .assert()
        .code(1);

    // Watching a finished job: snapshot, then exit 3 (STOPPED). NDJSON in JSON mode.
    let out = env
        .hh()
        .args(["watch", &job_id, "-o", "json"])
        .assert()
        .code(3);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let first: Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["snapshot"]["state"], "JOB_STATE_STOPPED");
    assert!(first["resumeToken"].is_string());
    env.hh()
        .args(["watch", &job_id])
        .assert()
        .code(3)
        .stdout(predicate::str::contains("STOPPED"));
    env.hh().args(["watch", "job_nonexistent"]).assert().code(8);
    env.hh().args(["get", "job_nonexistent"]).assert().code(8);

    runtime.block_on(stack.shutdown()).expect("clean shutdown");
}
