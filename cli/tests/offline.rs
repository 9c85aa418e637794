//! `hh` without a server: argument parsing (exit 2), help texts, completions, and the
//! "server down" path (exit 6 with a message that names the URL and what to do).

use assert_cmd::Command;
use predicates::prelude::*;

fn hh() -> Command {
    let mut cmd = Command::cargo_bin("hh").expect("hh binary");
    cmd.env_remove("HH_TOKEN").env_remove("HH_SERVER");
    cmd
}

/// A loopback URL where nothing listens (bound, then released).
fn dead_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[test]
fn usage_errors_exit_2() {
    hh().args(["start"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--destination"));
    hh().args(["start", "-d", "irs-pps", "--lines", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--lines"));
    hh().args(["start", "-d", "irs-pps", "--max-duration", "2x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown unit"));
    hh().args(["start", "-d", "irs-pps", "--pool", "a", "--line", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    hh().args(["list", "--state", "sleeping"]).assert().code(2);
    hh().args(["confirm", "job_1"]).assert().code(2);
    hh().args(["demo", "--lines", "0"]).assert().code(2);
    hh().args(["demo", "--time-scale", "0.5"]).assert().code(2);
    // assist mode only makes sense for an operator-driven stack
    hh().args(["demo", "--assist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--stack-only"));
    hh().args(["bogus"]).assert().code(2);
    hh().args(["-o", "yaml", "list"]).assert().code(2);
}

#[test]
fn help_teaches_with_examples_and_exit_codes() {
    hh().arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("hh demo"))
        .stdout(predicate::str::contains("6 server unreachable"));
    for command in [
        vec!["start"],
        vec!["watch"],
        vec!["get"],
        vec!["list"],
        vec!["stop"],
        vec!["confirm"],
        vec!["transfer"],
        vec!["hangup"],
        vec!["lines"],
        vec!["queues"],
        vec!["destinations"],
        vec!["rc"],
        vec!["demo"],
        vec!["completions"],
    ] {
        let mut args = command.clone();
        args.push("--help");
        hh().args(&args)
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:"));
    }
    hh().args(["watch", "--help"])
        .assert()
        .stdout(predicate::str::contains("4 EXHAUSTED"));
}

#[test]
fn completions_for_bash_and_zsh() {
    hh().args(["completions", "bash"])
        .assert()
        .success()
        .stdout(predicate::str::contains("_hh()"));
    hh().args(["completions", "zsh"])
        .assert()
        .success()
        .stdout(predicate::str::contains("#compdef hh"));
}

#[test]
fn server_down_exits_6_naming_the_url_and_the_fix() {
    let url = dead_server();
    hh().args(["--server", &url, "list"])
        .env("HH_TOKEN", "test-api-token")
        .assert()
        .code(6)
        .stderr(predicate::str::contains(url.as_str()))
        .stderr(predicate::str::contains("hh demo"))
        .stderr(predicate::str::contains("test-api-token").not());
    // Same through HH_SERVER, for watch (no first connection: give up at once), JSON errors.
    let assert = hh()
        .args(["watch", "job_1", "-o", "json"])
        .env("HH_SERVER", &url)
        .assert()
        .code(6);
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let error: serde_json::Value = serde_json::from_str(stderr.trim()).expect("JSON error");
    assert_eq!(error["error"]["exitCode"], 6);
    assert_eq!(error["error"]["reason"], "SERVER_UNREACHABLE");
}

#[test]
fn bad_server_url_and_token_file_are_usage_errors() {
    hh().args(["--server", "127.0.0.1:50051", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("http://"));
    hh().args(["--token-file", "/nonexistent/hh-token", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/hh-token"));
    let empty = tempfile::NamedTempFile::new().unwrap();
    hh().args(["--token-file"])
        .arg(empty.path())
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("empty"));
}
