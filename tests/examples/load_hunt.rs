//! Load benchmark of the hunt engine: many concurrent hunts on one local stack (private
//! redis-server, RingCentral simulator, the real webhook bridge, the server on a runtime of its
//! own so its CPU can be measured), each won by an operator `ConfirmLive`.
//!
//! ```sh
//! cargo run --release -p holdhunter-e2e --example load_hunt -- --jobs 10 --lines 10
//! ```
//!
//! Flags: `--jobs N` (10), `--lines N` per job (10), `--callout-limit N` call-outs per 60 s
//! window for the server's shared limiter (60; RingCentral's default Heavy limit is 10/min
//! per user, a raised account limit is assumed so that
//! 100 call-outs take about a minute and still show the limiter at work),
//! `--destination sim-quick|irs-pps` (sim-quick: no phone menu), `--media` (open every leg's
//! media stream and run the detector; off by default so the figures are the engine's),
//! `--seed N` (7), `--server-threads N` (2).
//!
//! Prints: call-outs per minute achieved vs the limit; ConfirmLive → transfer request latency
//! (request sent → the simulator's ground-truth `transfer_requested_at`) p50/p99; WatchJob
//! event lag (event time → received by a watcher) p50/p99; Redis commands (INFO
//! `total_commands_processed` delta, per second) and Redis CPU; server CPU (the server
//! runtime's threads, from /proc) and whole-process CPU.

use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Context;
use holdhunter_e2e::holdhunter_devstack::StackOptions;
use holdhunter_e2e::holdhunter_proto::v1 as pb;
use holdhunter_e2e::*;

#[derive(Debug, Clone)]
struct Args {
    jobs: u32,
    lines: u32,
    callout_limit: u32,
    destination: String,
    media: bool,
    seed: u64,
    server_threads: usize,
}

static ARGS: OnceLock<Args> = OnceLock::new();

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        jobs: 10,
        lines: 10,
        callout_limit: 60,
        destination: "sim-quick".into(),
        media: false,
        seed: 7,
        server_threads: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--jobs" => args.jobs = value()?.parse()?,
            "--lines" => args.lines = value()?.parse()?,
            "--callout-limit" => args.callout_limit = value()?.parse()?,
            "--destination" => args.destination = value()?,
            "--media" => args.media = true,
            "--seed" => args.seed = value()?.parse()?,
            "--server-threads" => args.server_threads = value()?.parse()?,
            "-h" | "--help" => {
                println!(
                    "load_hunt [--jobs N] [--lines N] [--callout-limit N] \
                     [--destination sim-quick|irs-pps] [--media] [--seed N] [--server-threads N]"
                );
                std::process::exit(0);
            }
            other => anyhow::bail!("unknown flag {other} (see --help)"),
        }
    }
    anyhow::ensure!(args.jobs >= 1 && (1..=100).contains(&args.lines));
    Ok(args)
}

fn sim_tweak(config: &mut ringcentral_sim::SimConfig) {
    fast_sim(config);
    config.media_pace = 1.0;
}

fn server_tweak(config: &mut hold_hunter_server::ServerConfig) {
    fast_server(config);
    let args = ARGS.get().expect("args parsed before the stack starts");
    config.engine.callout_limit = args.callout_limit;
    config.engine.callout_window_ms = 60_000;
    config.engine.reconcile_interval_ms = 5_000;
    if !args.media {
        config.media.url_template = None;
    }
}

fn sim_quick_destination() -> pb::Destination {
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

/// utime + stime of a `/proc/.../stat` line, in seconds (USER_HZ 100).
fn stat_cpu_s(stat: &str) -> Option<f64> {
    // Fields after the ")" of the command: state is field 3; utime 14, stime 15.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// CPU seconds (user + system) of the whole process, exited threads included.
fn process_cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| stat_cpu_s(&s))
        .unwrap_or(f64::NAN)
}

/// CPU seconds (user + system) of this process's live threads whose name starts with
/// `prefix`, from `/proc/self/task/*/stat`.
fn thread_cpu_s(prefix: &str) -> f64 {
    let mut total = 0.0;
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return f64::NAN;
    };
    for task in tasks.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if !comm.trim_end().starts_with(prefix) {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        total += stat_cpu_s(&stat).unwrap_or(0.0);
    }
    total
}

/// (total_commands_processed, used_cpu_sys + used_cpu_user) from INFO.
async fn redis_counters(conn: &mut redis::aio::MultiplexedConnection) -> (u64, f64) {
    let info: String = redis::cmd("INFO")
        .arg("all")
        .query_async(conn)
        .await
        .unwrap_or_default();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .map(|v| v.trim().to_owned())
    };
    let commands = field("total_commands_processed")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let cpu = ["used_cpu_sys", "used_cpu_user"]
        .iter()
        .filter_map(|n| field(n).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    (commands, cpu)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(mut values: Vec<f64>) -> String {
    values.sort_by(|a, b| a.total_cmp(b));
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
        percentile(&values, 50.0),
        percentile(&values, 99.0),
        values.last().copied().unwrap_or(f64::NAN),
        values.len()
    )
}

struct Outcome {
    job_id: String,
    confirm_sent: Option<jiff::Timestamp>,
    winner_session: Option<String>,
    final_state: String,
}

async fn run_hunt(e2e: &E2e, job: pb::Job, timeout: Duration) -> Outcome {
    let job_id = job.job_id.clone();
    let mut outcome = Outcome {
        job_id: job_id.clone(),
        confirm_sent: None,
        winner_session: None,
        final_state: String::new(),
    };
    // Every leg answered (HOLD) or ended, and at least one on HOLD.
    let ready = e2e
        .wait_job(&job_id, "legs on HOLD", timeout, |j| {
            j.state != pb::JobState::Hunting as i32
                || (j.legs.iter().any(|l| is_state(l, pb::LegState::Hold))
                    && j.legs
                        .iter()
                        .all(|l| is_state(l, pb::LegState::Hold) || leg_terminal(l)))
        })
        .await;
    let Ok(ready) = ready else {
        outcome.final_state = "timed out before HOLD".into();
        return outcome;
    };
    if let Some(leg) = ready.legs.iter().find(|l| is_state(l, pb::LegState::Hold)) {
        outcome.confirm_sent = Some(jiff::Timestamp::now());
        outcome.winner_session = Some(leg.telephony_session_id.clone());
        if let Err(status) = e2e.confirm_live(&job_id, &leg.leg_id).await {
            outcome.final_state = format!("ConfirmLive failed: {}", status.message());
            return outcome;
        }
    }
    let done = e2e
        .wait_job(&job_id, "job settled", timeout, |j| {
            j.state != pb::JobState::Hunting as i32 && j.legs.iter().all(leg_terminal)
        })
        .await;
    outcome.final_state = match done {
        Ok(j) => pb::JobState::try_from(j.state)
            .map(|s| s.as_str_name().to_owned())
            .unwrap_or_default(),
        Err(err) => format!("{err:#}"),
    };
    outcome
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    ARGS.set(args.clone()).expect("set once");
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.server_threads)
        .thread_name("hh-server")
        .enable_all()
        .build()?;
    let main_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("load-main")
        .enable_all()
        .build()?;
    let server_handle = server_rt.handle().clone();
    let result = main_rt.block_on(run(args, server_handle));
    server_rt.shutdown_timeout(Duration::from_secs(5));
    result
}

async fn run(args: Args, server_runtime: tokio::runtime::Handle) -> anyhow::Result<()> {
    let total_legs = (args.jobs * args.lines) as usize;
    let options = StackOptions {
        seed: args.seed,
        time_scale: 1.0,
        hold_lines: total_legs,
        disable_rate_limits: true,
        stagger_ms: 200,
        sim_tweak: Some(sim_tweak),
        server_tweak: Some(server_tweak),
        server_runtime: Some(server_runtime),
        ..StackOptions::default()
    };
    eprintln!(
        "starting the stack: {} hold lines, {} jobs x {} lines on {}, call-out limit {}/min, media {}",
        total_legs,
        args.jobs,
        args.lines,
        args.destination,
        args.callout_limit,
        if args.media { "on" } else { "off" }
    );
    let e2e = E2e::start(options).await?;
    if args.destination == "sim-quick" {
        pb::destination_service_client::DestinationServiceClient::new(
            tonic::transport::Channel::from_shared(e2e.stack.server_url().to_owned())?
                .connect()
                .await?,
        )
        .upsert_destination(e2e.authed(pb::UpsertDestinationRequest {
            destination: Some(sim_quick_destination()),
        }))
        .await?;
    }
    let redis = redis::Client::open(e2e.stack.redis_url())?;
    let mut redis_conn = redis.get_multiplexed_async_connection().await?;

    let (cmds0, redis_cpu0) = redis_counters(&mut redis_conn).await;
    let server_cpu0 = thread_cpu_s("hh-server");
    let process_cpu0 = process_cpu_s();
    let started = Instant::now();

    let mut jobs = Vec::new();
    for _ in 0..args.jobs {
        jobs.push(e2e.start_job(&args.destination, args.lines).await?);
    }
    let watchers: Vec<_> = jobs.iter().map(|j| e2e.watch(&j.job_id)).collect();
    let hunt_timeout = Duration::from_secs(60 + 90 * total_legs as u64 / args.callout_limit as u64);
    let outcomes = futures::future::join_all(
        jobs.into_iter()
            .map(|job| run_hunt(&e2e, job, hunt_timeout)),
    )
    .await;
    let elapsed = started.elapsed();
    let (cmds1, redis_cpu1) = redis_counters(&mut redis_conn).await;
    let server_cpu = thread_cpu_s("hh-server") - server_cpu0;
    let process_cpu = process_cpu_s() - process_cpu0;

    // Call-out rate from the simulator's ground truth (call creation times).
    let calls = e2e.stack.sim().calls();
    let mut created: Vec<i64> = calls
        .iter()
        .map(|c| c.created_at.as_millisecond())
        .collect();
    created.sort_unstable();
    let callout_span_s = match (created.first(), created.last()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1000.0,
        _ => f64::NAN,
    };
    let callouts_per_min = if created.len() > 1 {
        (created.len() - 1) as f64 / callout_span_s * 60.0
    } else {
        f64::NAN
    };
    // The most call-outs in any 60 s window (the limiter's promise: never above the limit).
    let max_in_window = (0..created.len())
        .map(|i| {
            created[i..]
                .iter()
                .take_while(|t| **t < created[i] + 60_000)
                .count()
        })
        .max()
        .unwrap_or(0);

    // ConfirmLive → transfer request (ground truth).
    let mut confirm_to_transfer = Vec::new();
    let mut states: BTreeMap<String, u32> = BTreeMap::new();
    for o in &outcomes {
        *states.entry(o.final_state.clone()).or_default() += 1;
        if let (Some(sent), Some(session)) = (o.confirm_sent, &o.winner_session)
            && let Some(requested) = e2e
                .stack
                .sim()
                .call(session)
                .and_then(|t| t.transfer_requested_at)
        {
            confirm_to_transfer
                .push((requested.as_microsecond() - sent.as_microsecond()) as f64 / 1000.0);
        }
    }
    let transfers = calls
        .iter()
        .filter(|c| c.transfer_requested_at.is_some())
        .count();

    // WatchJob lag: event time (server clock) → received by the watcher.
    let mut lags = Vec::new();
    let mut watch_events = 0usize;
    let now_wall = jiff::Timestamp::now();
    let now_mono = Instant::now();
    for w in &watchers {
        for (_, payload, received) in w.log().messages {
            if let pb::watch_job_response::Payload::Event(e) = payload
                && let Some(t) = e.time
            {
                watch_events += 1;
                let received_ms = now_wall.as_millisecond() as f64
                    - now_mono.duration_since(received).as_secs_f64() * 1000.0;
                let event_ms = t.seconds as f64 * 1000.0 + f64::from(t.nanos) / 1e6;
                lags.push(received_ms - event_ms);
            }
        }
    }
    drop(watchers);

    let secs = elapsed.as_secs_f64();
    println!("## load_hunt");
    println!(
        "jobs {} x lines {} = {} legs on {} (media {}), seed {}, wall {:.1} s",
        args.jobs,
        args.lines,
        total_legs,
        args.destination,
        if args.media { "on" } else { "off" },
        args.seed,
        secs
    );
    println!("outcomes: {states:?}; transfer requests in the sim: {transfers}");
    println!(
        "call-outs: {} in {:.1} s = {:.1}/min overall; most in any 60 s window: {} (server \
         limit {}/min; RingCentral default Heavy 10/min/user)",
        created.len(),
        callout_span_s,
        callouts_per_min,
        max_in_window,
        args.callout_limit
    );
    println!(
        "ConfirmLive -> transfer request (ground truth): {}",
        summary(confirm_to_transfer)
    );
    println!(
        "WatchJob event lag ({} events, {} watchers): {}",
        watch_events,
        args.jobs,
        summary(lags)
    );
    println!(
        "Redis: {} commands = {:.0}/s; Redis CPU {:.2} s ({:.1} % of a core)",
        cmds1 - cmds0,
        (cmds1 - cmds0) as f64 / secs,
        redis_cpu1 - redis_cpu0,
        (redis_cpu1 - redis_cpu0) / secs * 100.0
    );
    println!(
        "server CPU (hh-server runtime threads): {:.2} s = {:.1} % of a core; whole process (sim, bridge, server, load driver): {:.2} s = {:.1} %",
        server_cpu,
        server_cpu / secs * 100.0,
        process_cpu,
        process_cpu / secs * 100.0
    );
    let failed: Vec<_> = outcomes
        .iter()
        .filter(|o| o.final_state != "JOB_STATE_TRANSFERRED")
        .map(|o| format!("{}: {}", o.job_id, o.final_state))
        .collect();
    if !failed.is_empty() {
        println!("jobs without a transfer: {failed:?}");
    }
    e2e.stack.shutdown().await?;
    Ok(())
}
