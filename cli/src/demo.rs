//! `hh demo`: the whole product locally against the RingCentral simulator, with no
//! configuration: starts a [`Stack`] in this process (private redis-server, simulator with
//! accelerated hold times, webhook bridge, server with a random API token), syncs lines and
//! queues, hunts the simulated IRS Practitioner Priority Service line, shows the hunt live and
//! ends with a summary from the simulator's ground truth.
//!
//! Demo operator fallback (explicit, never hidden): while the server has no live-agent
//! detector wired in, a leg may stay on HOLD after the agent spoke. If the job is still
//! HUNTING [`OPERATOR_GRACE`] after the simulator's ground truth says an agent started
//! speaking on a leg, the demo calls `ConfirmLive` on that leg, says so in the live view and
//! marks the summary "confirmed by demo operator".

use std::time::Duration;

use holdhunter_devstack::{Stack, StackOptions};
use holdhunter_proto::v1 as pb;
use ringcentral_sim::ground_truth::CallGroundTruth;
use secrecy::ExposeSecret;
use serde_json::json;
use tokio::sync::mpsc;

use crate::args::{DemoArgs, OutputFormat};
use crate::client::Connection;
use crate::exit::{self, CliError};
use crate::render::text;
use crate::watch::{self, WatchOptions};

/// How long after the agent's first word (ground truth) the demo operator steps in.
pub const OPERATOR_GRACE: Duration = Duration::from_secs(3);

/// The simulator's quick test line (no phone menu, always open, mean hold 1 min at scale 1),
/// registered as a custom destination by `hh demo --destination sim-quick`.
pub fn sim_quick_destination() -> pb::Destination {
    pb::Destination {
        destination_id: "sim-quick".into(),
        name: "Simulator quick line (no phone menu)".into(),
        phone_number: "+15550100001".into(),
        time_zone: "America/New_York".into(),
        business_hours: vec![pb::BusinessHours {
            weekdays: (1..=7).collect(),
            open_minute: 0,
            close_minute: 1440,
        }],
        ivr_plan: Some(pb::IvrPlan { steps: Vec::new() }),
        notes: "ringcentral-sim test line +15550100001".into(),
        ..Default::default()
    }
}

/// Sends the embedded stack's `tracing` output to `path` (created or truncated), filtered by
/// `RUST_LOG` (default `info`). Errors: the file cannot be created.
fn init_log_file(path: &std::path::Path) -> Result<(), CliError> {
    let file = std::fs::File::create(path).map_err(|e| {
        CliError::Other(anyhow::anyhow!(
            "hh demo: cannot create the log file {}: {e}",
            path.display()
        ))
    })?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
    Ok(())
}

/// Runs `hh demo`.
pub async fn run(args: &DemoArgs, format: OutputFormat) -> Result<i32, CliError> {
    if let Some(path) = &args.log {
        init_log_file(path)?;
        eprintln!("Stack logs: {}", path.display());
    }
    let mut options = StackOptions {
        time_scale: args.time_scale,
        hold_lines: (args.lines as usize + 2).max(12),
        redis_dies_with_thread: true,
        ..StackOptions::default()
    };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if args.assist {
        options.server_tweak = Some(assist_mode);
        eprintln!("Assist mode: LIVE verdicts are shown; only an operator's ConfirmLive transfers");
    }
    options.static_dir = dashboard_dir();
    // `--stack-only` (browser tests, grpcurl sessions) keeps the synthesized audio: with the
    // recordings, the detector's false LIVE rate on a cold loop library (BENCHMARKS.md) would
    // transfer legs during long holds that an operator is meant to drive.
    let assets = ringcentral_sim::audio::default_asset_dir();
    if args.stack_only {
        eprintln!("Audio: synthesized (--stack-only)");
    } else if assets.join("manifest.tsv").is_file() {
        options.sim_tweak = Some(use_recorded_audio);
        eprintln!(
            "Audio: recorded voices and hold music from {}",
            assets.display()
        );
    } else {
        eprintln!(
            "Audio: synthesized (build the recordings with `bash sim/assets/build-assets.sh`)"
        );
    }
    let seed = options.seed;
    eprintln!(
        "Starting the local stack: redis-server, RingCentral simulator (seed {seed}, hold times \
         /{}), webhook bridge, server…",
        args.time_scale
    );
    let stack = Stack::start(options)
        .await
        .map_err(|e| CliError::Other(e.context("hh demo could not start the local stack")))?;

    if args.stack_only {
        println!(
            "{}",
            json!({
                "server": stack.server_url(),
                "token": stack.api_token().expose_secret(),
                "sim": stack.sim_url(),
                "bridge": stack.bridge_url(),
                "redis": stack.redis_url(),
                "seed": seed,
                "dashboard": options_dashboard_url(&stack),
            })
        );
        eprintln!("Stack is up; stop it with Ctrl-C or SIGTERM.");
        wait_for_termination().await;
        shutdown(stack).await;
        return Ok(exit::OK);
    }

    match options_dashboard_url(&stack) {
        Some(url) => eprintln!("Dashboard: {url} (same API token as the CLI)"),
        None => eprintln!(
            "Dashboard: not built (run `npm --prefix web-client ci && npm --prefix web-client \
             run build`, or set HH_WEB_DIST)"
        ),
    }
    let conn = Connection::new(stack.server_url(), Some(stack.api_token().clone()))?;
    let result = hunt(&stack, &conn, args, format).await;
    if args.keep_running {
        // The token is random for this run, lives only in this process and dies with the
        // stack; the operator needs it to use the CLI and the dashboard against this stack.
        eprintln!(
            "\nThe stack keeps running (Ctrl-C stops it):\n  export HH_SERVER={}\n  export \
             HH_TOKEN={}   # random for this run, valid until the stack stops\n  dashboard {}\n  \
             simulator {}  bridge {}  redis {}",
            stack.server_url(),
            stack.api_token().expose_secret(),
            options_dashboard_url(&stack).unwrap_or_else(|| "not built".into()),
            stack.sim_url(),
            stack.bridge_url(),
            stack.redis_url()
        );
        wait_for_termination().await;
    }
    shutdown(stack).await;
    result
}

/// The built dashboard to serve: `HH_WEB_DIST`, else `web-client/dist` under the current
/// directory or beside the workspace that holds this binary (`target/<profile>/hh`).
fn dashboard_dir() -> Option<std::path::PathBuf> {
    let has_index = |dir: &std::path::Path| dir.join("index.html").is_file();
    if let Some(dir) = std::env::var_os("HH_WEB_DIST").map(std::path::PathBuf::from) {
        return has_index(&dir).then_some(dir);
    }
    let mut candidates = vec![std::path::PathBuf::from("web-client/dist")];
    if let Ok(exe) = std::env::current_exe()
        && let Some(workspace) = exe
            .parent()
            .and_then(|p| p.parent())
            .and_then(|p| p.parent())
    {
        candidates.push(workspace.join("web-client/dist"));
    }
    candidates
        .into_iter()
        .find(|dir| has_index(dir))
        .and_then(|dir| dir.canonicalize().ok())
}

/// Assist mode: a detector LIVE verdict is recorded on the leg, ConfirmLive decides.
fn assist_mode(config: &mut holdhunter_devstack::ServerConfig) {
    config.engine.detector_transfers = false;
}

/// The simulated lines play the real recordings built by `sim/assets/build-assets.sh`
/// (`scripts/demo` builds them) when the cache exists; otherwise the simulator synthesizes its
/// audio.
fn use_recorded_audio(config: &mut ringcentral_sim::SimConfig) {
    let dir = ringcentral_sim::audio::default_asset_dir();
    if dir.join("manifest.tsv").is_file() {
        config.asset_dir = Some(dir);
    }
}

/// The dashboard URL when the stack serves one.
fn options_dashboard_url(stack: &Stack) -> Option<String> {
    stack
        .serves_dashboard()
        .then(|| format!("{}/", stack.server_url()))
}

async fn shutdown(stack: Stack) {
    eprintln!("Stopping the local stack…");
    if let Err(err) = stack.shutdown().await {
        eprintln!("hh demo: while stopping: {err:#}");
    }
}

async fn wait_for_termination() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A ConfirmLive the demo operator made.
#[derive(Debug, Clone)]
struct OperatorConfirm {
    leg_id: String,
}

async fn hunt(
    stack: &Stack,
    conn: &Connection,
    args: &DemoArgs,
    format: OutputFormat,
) -> Result<i32, CliError> {
    let say = |text: String| {
        if format == OutputFormat::Table {
            println!("{text}");
        } else {
            eprintln!("{text}");
        }
    };
    // Lines and queues from the simulated RingCentral account.
    let lines = conn
        .lines()
        .sync_lines(pb::SyncLinesRequest {})
        .await
        .map_err(|s| conn.error(s))?
        .into_inner();
    let queues = conn
        .queues()
        .sync_queues(pb::SyncQueuesRequest {})
        .await
        .map_err(|s| conn.error(s))?
        .into_inner()
        .queues;
    let queue = queues.first().cloned().ok_or_else(|| {
        CliError::Other(anyhow::anyhow!("the simulated account has no call queue"))
    })?;
    conn.queues()
        .set_default_queue(pb::SetDefaultQueueRequest {
            queue_id: queue.queue_id.clone(),
        })
        .await
        .map_err(|s| conn.error(s))?;
    say(format!(
        "Synced {} hold lines and {} call queues; winners go to queue {} ({} {}).",
        lines.lines.len(),
        queues.len(),
        queue.queue_id,
        queue.extension_number,
        queue.name
    ));
    wait_for_subscription(conn, &say).await;
    if args.destination == "sim-quick" {
        conn.destinations()
            .upsert_destination(pb::UpsertDestinationRequest {
                destination: Some(sim_quick_destination()),
            })
            .await
            .map_err(|s| conn.error(s))?;
    }

    let job = conn
        .jobs()
        .start_job(pb::StartJobRequest {
            destination_id: args.destination.clone(),
            line_count: args.lines,
            queue_id: queue.queue_id.clone(),
            ..Default::default()
        })
        .await
        .map_err(|s| conn.error(s))?
        .into_inner()
        .job
        .unwrap_or_default();
    say(format!(
        "Hunting {} ({}) with {} lines: job {}.\n",
        job.destination_id, job.destination_number, job.line_count, job.job_id
    ));

    let (notes_tx, notes_rx) = mpsc::unbounded_channel();
    let mut confirms: Vec<OperatorConfirm> = Vec::new();
    let options = WatchOptions::new(format);
    let outcome = {
        let watch = watch::follow(conn, &job.job_id, &options, Some(notes_rx));
        let operator = operator(stack, conn, &job.job_id, &notes_tx, &mut confirms);
        tokio::pin!(watch);
        tokio::pin!(operator);
        tokio::select! {
            outcome = &mut watch => outcome,
            _ = &mut operator => watch.await,
        }
    }?;
    let summary = summarize(stack, &outcome, &confirms, args.time_scale);
    match format {
        OutputFormat::Json => println!("{}", summary.json),
        OutputFormat::Table => {
            println!("\n{}", watch::summary(&outcome.job));
            print!("{}", summary.text);
        }
    }
    Ok(outcome.exit_code)
}

async fn wait_for_subscription(conn: &Connection, say: &impl Fn(String)) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let check = conn
            .ringcentral()
            .check_ring_central(pb::CheckRingCentralRequest {})
            .await
            .map(|r| r.into_inner());
        if let Ok(check) = &check
            && let Some(sub) = &check.subscription
            && sub.status == "Active"
        {
            say(format!(
                "Webhook subscription {} is Active (simulator → bridge → server).",
                sub.subscription_id
            ));
            return;
        }
        if tokio::time::Instant::now() > deadline {
            say(
                "Warning: no Active webhook subscription after 20 s; the server will rely on \
                 reconciliation (slower state changes)."
                    .into(),
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The demo operator: confirms a leg live when the ground truth says its agent has been
/// speaking for [`OPERATOR_GRACE`] and the job is still hunting. Runs until the job ends.
async fn operator(
    stack: &Stack,
    conn: &Connection,
    job_id: &str,
    notes: &mpsc::UnboundedSender<String>,
    confirms: &mut Vec<OperatorConfirm>,
) {
    let grace_ms = OPERATOR_GRACE.as_millis() as i64;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let Ok(response) = conn
            .jobs()
            .get_job(pb::GetJobRequest {
                job_id: job_id.to_string(),
            })
            .await
        else {
            continue;
        };
        let job = response.into_inner().job.unwrap_or_default();
        if job.state() != pb::JobState::Hunting {
            return;
        }
        let now = jiff::Timestamp::now().as_millisecond();
        for leg in &job.legs {
            let waiting = matches!(
                leg.state(),
                pb::LegState::Ivr | pb::LegState::Hold | pb::LegState::Ringing
            );
            if !waiting
                || leg.telephony_session_id.is_empty()
                || confirms.iter().any(|c| c.leg_id == leg.leg_id)
            {
                continue;
            }
            let Some(truth) = stack.sim().call(&leg.telephony_session_id) else {
                continue;
            };
            let Some(spoke) = truth.agent_speech_started else {
                continue;
            };
            let since_ms = now - spoke.wall.as_millisecond();
            if since_ms < grace_ms {
                continue;
            }
            let _ = notes.send(format!(
                "demo operator: the agent on {} has spoken for {} and the job still hunts: \
                 ConfirmLive {}",
                leg.leg_id,
                text::human_ms(since_ms),
                leg.leg_id
            ));
            confirms.push(OperatorConfirm {
                leg_id: leg.leg_id.clone(),
            });
            let result = conn
                .jobs()
                .confirm_live(pb::ConfirmLiveRequest {
                    job_id: job_id.to_string(),
                    leg_id: leg.leg_id.clone(),
                })
                .await;
            if let Err(status) = result {
                let _ = notes.send(format!(
                    "demo operator: ConfirmLive {} failed: {}",
                    leg.leg_id,
                    conn.error(status)
                ));
            }
        }
    }
}

struct Summary {
    text: String,
    json: serde_json::Value,
}

fn ms(from: jiff::Timestamp, to: jiff::Timestamp) -> i64 {
    to.as_millisecond() - from.as_millisecond()
}

/// A transfer decided (`decided_at`, server time) before the far end's agent picked up
/// (`agent_picked_up`, the simulator's ground truth; `None`: never) took a recording for a
/// person. Undecided (no LIVE event seen) is not called false.
fn is_false_transfer(
    agent_picked_up: Option<jiff::Timestamp>,
    decided_at: Option<jiff::Timestamp>,
) -> bool {
    match (agent_picked_up, decided_at) {
        (None, Some(_)) => true,
        (Some(pickup), Some(decided)) => decided < pickup,
        (_, None) => false,
    }
}

/// Summary of the winner from the simulator's ground truth.
fn summarize(
    stack: &Stack,
    outcome: &watch::WatchOutcome,
    confirms: &[OperatorConfirm],
    time_scale: f64,
) -> Summary {
    let job = &outcome.job;
    let Some(winner_id) = job.winner_leg_ids.first() else {
        // Why each leg ended, from the server and from the simulator's far end.
        let legs: Vec<(String, String, Option<String>)> = job
            .legs
            .iter()
            .map(|l| {
                let server = if l.end_reason != 0 {
                    text::leg_end_reason(l.end_reason)
                } else {
                    text::leg_state(l.state)
                };
                let far_end = (!l.telephony_session_id.is_empty())
                    .then(|| stack.sim().call(&l.telephony_session_id))
                    .flatten()
                    .map(|t| {
                        let digits: String = t.dtmf.iter().map(|d| d.digit).collect();
                        format!(
                            "{} (DTMF received: {})",
                            t.far_end_hangup_reason.as_deref().unwrap_or("-"),
                            if digits.is_empty() { "none" } else { &digits }
                        )
                    });
                (l.leg_id.clone(), server, far_end)
            })
            .collect();
        let mut text = format!("No leg was transferred ({}).\n", text::job_state(job.state));
        for (leg_id, server, far_end) in &legs {
            text.push_str(&format!(
                "  {leg_id:<7} {server:<20} far end (ground truth): {}\n",
                far_end.as_deref().unwrap_or("-")
            ));
        }
        if legs
            .iter()
            .any(|(_, _, f)| f.as_deref() == Some("IvrFailed"))
        {
            text.push_str(
                "  IvrFailed: the phone menu got no DTMF. The server sends DTMF through its media \
                 pipeline; this build runs without one.\n",
            );
        }
        text.push_str("Try another seed: hh demo --seed N\n");
        return Summary {
            json: json!({"summary": {
                "jobId": job.job_id,
                "state": text::job_state(job.state),
                "winnerLegId": null,
                "legs": legs.iter().map(|(leg_id, server, far_end)| json!({
                    "legId": leg_id, "end": server, "farEndHangupReason": far_end,
                })).collect::<Vec<_>>(),
            }}),
            text,
        };
    };
    let leg = job.legs.iter().find(|l| &l.leg_id == winner_id);
    let truth: Option<CallGroundTruth> = leg
        .filter(|l| !l.telephony_session_id.is_empty())
        .and_then(|l| stack.sim().call(&l.telephony_session_id));
    let by_operator = confirms.iter().any(|c| &c.leg_id == winner_id);
    // When the server decided: the first event putting the winner LIVE / NEEDS_HUMAN /
    // TRANSFERRING (or the transfer request), in server time.
    let decided_at = outcome
        .events
        .iter()
        .filter(|e| {
            e.leg.as_ref().is_some_and(|l| {
                &l.leg_id == winner_id
                    && matches!(
                        l.state(),
                        pb::LegState::Live
                            | pb::LegState::NeedsHuman
                            | pb::LegState::Transferring
                            | pb::LegState::Transferred
                    )
            })
        })
        .filter_map(|e| e.time.as_ref().and_then(crate::render::json::to_jiff))
        .next();

    let mut text = String::new();
    let mut facts = serde_json::Map::new();
    facts.insert("jobId".into(), json!(job.job_id));
    facts.insert("winnerLegId".into(), json!(winner_id));
    facts.insert("confirmedByDemoOperator".into(), json!(by_operator));
    facts.insert("timeScale".into(), json!(time_scale));
    text.push_str(&format!("Winner {winner_id}"));
    if let Some(t) = &truth {
        text.push_str(&format!(" (telephony session {})", t.telephony_session_id));
    }
    text.push('\n');
    match &truth {
        None => text.push_str("  (no ground truth from the simulator for this leg)\n"),
        Some(t) => {
            let false_transfer = is_false_transfer(t.agent_picked_up.map(|p| p.wall), decided_at);
            facts.insert("falseTransfer".into(), json!(false_transfer));
            if false_transfer {
                text.push_str(
                    "  FALSE TRANSFER: no agent had picked up this leg when it was transferred \
                     (the detector took a recording for a person; the stack log has its cause)\n",
                );
            }
            if let (Some(hold), Some(agent)) = (t.hold_started, t.agent_picked_up) {
                let hold_ms = agent.media_ms.saturating_sub(hold.media_ms);
                let real_ms = (hold_ms as f64 * time_scale) as i64;
                facts.insert("holdMs".into(), json!(hold_ms));
                facts.insert("holdMsAtRealPace".into(), json!(real_ms));
                text.push_str(&format!(
                    "  time on hold                        {:>10}   (= {} at the real IRS \
                     pace, time scale {time_scale})\n",
                    text::human_ms(hold_ms as i64),
                    text::human_ms(real_ms)
                ));
            }
            if let Some(spoke) = t.agent_speech_started {
                if let Some(decided) = decided_at {
                    let latency = ms(spoke.wall, decided);
                    facts.insert("detectionLatencyMs".into(), json!(latency));
                    text.push_str(&format!(
                        "  detection after agent's first word  {:>10}{}\n",
                        text::human_ms(latency),
                        if by_operator {
                            "   (confirmed by demo operator, not the detector)"
                        } else {
                            ""
                        }
                    ));
                }
                if let Some(ringing) = t.queue_ringing_at {
                    let to_queue = ms(spoke.wall, ringing);
                    facts.insert("firstWordToQueueRingingMs".into(), json!(to_queue));
                    text.push_str(&format!(
                        "  agent's first word → queue ringing  {:>10}   (goal: < 500 ms{})\n",
                        text::human_ms(to_queue),
                        if by_operator {
                            "; includes the demo operator's wait"
                        } else {
                            ""
                        }
                    ));
                }
            } else {
                text.push_str("  the simulator recorded no agent speech on this leg\n");
            }
        }
    }
    if by_operator {
        text.push_str(&format!(
            "  Note: {winner_id} was confirmed by demo operator (ConfirmLive {}s after the \
             agent's first word): the server's live-agent detector did not decide first.\n",
            OPERATOR_GRACE.as_secs()
        ));
    }
    Summary {
        text,
        json: json!({"summary": facts}),
    }
}

#[cfg(test)]
mod tests {
    use super::is_false_transfer;

    #[test]
    fn a_transfer_before_the_agent_picked_up_is_false() {
        let t = |ms: i64| jiff::Timestamp::from_millisecond(ms).unwrap();
        assert!(is_false_transfer(None, Some(t(1_000))), "no agent ever");
        assert!(
            is_false_transfer(Some(t(2_000)), Some(t(1_000))),
            "before the pickup"
        );
        assert!(
            !is_false_transfer(Some(t(1_000)), Some(t(1_300))),
            "after the pickup"
        );
        assert!(!is_false_transfer(None, None), "nothing decided");
    }
}
