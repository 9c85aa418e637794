//! `hh demo` end to end: the whole stack in the `hh` process, the hunt, the summary from the
//! simulator's ground truth; and `--stack-only` (one JSON line, serves until SIGTERM, then
//! stops every process it started).

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

#[test]
fn demo_hunts_and_transfers_with_a_ground_truth_summary() {
    let log_dir = tempfile::tempdir().unwrap();
    let log = log_dir.path().join("stack.log");
    let out = Command::cargo_bin("hh")
        .unwrap()
        .env_remove("RUST_LOG")
        .args([
            "demo",
            "--destination",
            "sim-quick",
            "--seed",
            "7",
            "--lines",
            "2",
            "-o",
            "json",
        ])
        .arg("--log")
        .arg(&log)
        .timeout(Duration::from_secs(240))
        .assert()
        .code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(lines[0]["snapshot"]["jobId"].is_string(), "{stdout}");
    let summary = &lines.last().unwrap()["summary"];
    assert!(summary["winnerLegId"].is_string(), "{summary}");
    assert!(summary["firstWordToQueueRingingMs"].is_i64(), "{summary}");
    assert!(summary["holdMs"].is_u64(), "{summary}");
    // The fallback is explicit in the summary either way.
    assert!(summary["confirmedByDemoOperator"].is_boolean());
    // `--log`: the stack's own log lines, with every leg state change of the winner.
    let text = std::fs::read_to_string(&log).unwrap();
    let winner = summary["winnerLegId"].as_str().unwrap();
    assert!(
        text.lines()
            .any(|l| l.contains("leg state") && l.contains(winner) && l.contains("TRANSFERRED")),
        "no TRANSFERRED line for {winner} in the stack log:\n{text}"
    );
}

#[test]
fn demo_log_file_that_cannot_be_created_is_a_clear_error_before_anything_starts() {
    let out = Command::cargo_bin("hh")
        .unwrap()
        .args(["demo", "--log", "/nonexistent-dir/stack.log"])
        .timeout(Duration::from_secs(30))
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("/nonexistent-dir/stack.log")
            && !stderr.contains("Starting the local stack"),
        "{stderr}"
    );
}

#[test]
fn stack_only_prints_addresses_then_stops_everything_on_sigterm() {
    let mut child = StdCommand::cargo_bin("hh")
        .unwrap()
        .args(["demo", "--stack-only", "--seed", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    for key in ["server", "token", "sim", "bridge", "redis"] {
        assert!(info[key].is_string(), "{key} missing in {info}");
    }
    // The server answers with the printed token.
    Command::cargo_bin("hh")
        .unwrap()
        .env("HH_SERVER", info["server"].as_str().unwrap())
        .env("HH_TOKEN", info["token"].as_str().unwrap())
        .args(["destinations", "list"])
        .assert()
        .success();
    let redis_port: u16 = info["redis"]
        .as_str()
        .unwrap()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "hh demo --stack-only ignored SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
    // Its redis-server is gone too.
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", redis_port)).is_ok() {
        assert!(Instant::now() < deadline, "redis-server still running");
        std::thread::sleep(Duration::from_millis(50));
    }
}
