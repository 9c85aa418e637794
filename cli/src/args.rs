//! Command-line grammar of `hh` (clap derive). Every command has examples in its `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shared by `--help` texts and [`crate::exit`].
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success (watch: the job ended TRANSFERRED)
  1  other error (e.g. FAILED_PRECONDITION: lines unavailable, job not active)
  2  usage error or INVALID_ARGUMENT from the server (the field is named)
  3  watch: the job ended STOPPED
  4  watch: the job ended EXHAUSTED (every leg ended, or --max-duration elapsed)
  5  watch: the job ended FAILED
  6  server unreachable / connection lost (or the server is UNAVAILABLE)
  7  unauthenticated: set HH_TOKEN or pass --token-file
  8  not found (job, leg, line, queue or destination)
  130 interrupted (Ctrl-C)";

const MAIN_AFTER_HELP: &str = "\
Hold Hunter waits on hold for you: a job (\"hunt\") dials one destination (e.g. the IRS
Practitioner Priority Service, `irs-pps`) from several hold lines at once; each call is a leg.
The first leg on which a live agent speaks is transferred to your call queue, the other legs
are hung up.

Quick start:
  hh demo                                  # everything local and simulated, no setup
  export HH_TOKEN=...                      # API token of your server (never echoed)
  hh lines sync && hh queues sync          # read hold lines and call queues from RingCentral
  hh queues default 5001                   # where winners are transferred
  hh start --destination irs-pps --lines 6 --watch

Automation: every command takes `-o json` (watch prints one JSON object per line), the server
comes from --server or HH_SERVER, the token from HH_TOKEN or --token-file.

Exit codes:
  0 success/TRANSFERRED  1 other  2 invalid argument  3 STOPPED  4 EXHAUSTED  5 FAILED
  6 server unreachable  7 unauthenticated  8 not found  130 interrupted";

/// `hh`: the Hold Hunter command-line client.
#[derive(Debug, Parser)]
#[command(
    name = "hh",
    version,
    about = "Hold Hunter: hunt hold lines, detect the live agent, transfer to your call queue",
    after_help = MAIN_AFTER_HELP,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// gRPC address of the Hold Hunter server.
    #[arg(
        long,
        global = true,
        env = "HH_SERVER",
        default_value = "http://127.0.0.1:50051",
        value_name = "URL"
    )]
    pub server: String,
    /// File holding the API token (first line). Default: the HH_TOKEN environment variable.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,
    /// Output format: human-readable tables, or JSON for scripts (NDJSON for `watch`).
    #[arg(short, long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// JSON: one document per command; one object per line for `watch`.
    Json,
}

/// Every `hh` command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a hunt: dial a destination from several hold lines at once.
    #[command(after_help = START_HELP)]
    Start(StartArgs),
    /// Follow a job live until it ends (exit code tells how it ended).
    #[command(after_help = WATCH_HELP)]
    Watch(JobArg),
    /// Show one job with all its legs.
    #[command(
        after_help = "Examples:\n  hh get job_01J9Z3QK\n  hh get job_01J9Z3QK -o json | jq '.legs[] | {legId, state}'"
    )]
    Get(JobArg),
    /// List jobs, newest first.
    #[command(
        after_help = "Examples:\n  hh list\n  hh list --state hunting\n  hh list --state transferred --state exhausted -o json"
    )]
    List(ListArgs),
    /// Stop a job: hang up every leg; the job ends STOPPED.
    #[command(
        after_help = "Stopping a finished job is a no-op that shows the job as it is.\n\nExamples:\n  hh stop job_01J9Z3QK"
    )]
    Stop(JobArg),
    /// Say "this leg has a live human": it competes for the transfer like a detector verdict.
    #[command(
        after_help = "Use it when you hear (e.g. on a monitored line) that an agent picked up before the\ndetector decided.\n\nExamples:\n  hh confirm job_01J9Z3QK leg-3"
    )]
    Confirm(LegArgs),
    /// Transfer this leg to the job's call queue now (uses one of --max-transfers).
    #[command(
        after_help = "Fails with FAILED_PRECONDITION (exit 1) when the leg is not connected or the job is\nalready satisfied.\n\nExamples:\n  hh transfer job_01J9Z3QK leg-2"
    )]
    Transfer(LegArgs),
    /// Hang up one leg; the job goes on with the others.
    #[command(after_help = "Examples:\n  hh hangup job_01J9Z3QK leg-5")]
    Hangup(LegArgs),
    /// Hold lines (RingCentral extensions and their devices).
    #[command(subcommand, after_help = LINES_HELP)]
    Lines(LinesCommand),
    /// Call queues the winning leg is transferred to.
    #[command(subcommand, after_help = QUEUES_HELP)]
    Queues(QueuesCommand),
    /// Destinations (numbers to hunt, their phone menus and business hours).
    #[command(
        subcommand,
        after_help = "Examples:\n  hh destinations list\n  hh destinations show irs-pps"
    )]
    Destinations(DestinationsCommand),
    /// Read-only checks of the RingCentral account, through the server.
    #[command(subcommand, name = "rc", after_help = RC_HELP)]
    RingCentral(RingCentralCommand),
    /// Run everything locally against the RingCentral simulator: a 6-line IRS hunt, live.
    #[command(after_help = DEMO_HELP)]
    Demo(DemoArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  hh completions bash > ~/.local/share/bash-completion/completions/hh\n  hh completions zsh > \"${fpath[1]}/_hh\"\n  hh completions fish > ~/.config/fish/completions/hh.fish"
    )]
    Completions(CompletionsArgs),
}

const START_HELP: &str = "\
The server reserves free, enabled hold lines, dials them staggered within RingCentral's rate
limits, navigates the phone menu, waits on hold and transfers the first live agent to the
queue (default: the default queue, see `hh queues default`).

Examples:
  hh start --destination irs-pps                       # 6 lines, default queue
  hh start --destination irs-pps --lines 12 --queue 5001 --max-duration 2h --watch
  hh start --destination irs-pps --pool night-shift --lines 4
  hh start --destination irs-pps --line 800001 --line 800002
  JOB=$(hh start --destination irs-pps -o json | jq -r .jobId)

With --watch the exit code tells how the job ended (0 TRANSFERRED, 3 STOPPED, 4 EXHAUSTED,
5 FAILED); see `hh --help`.";

const WATCH_HELP: &str = "\
On a terminal the view redraws in place (one row per leg: state, time in state, hold time,
detector confidence and cause); piped, it prints one line per change. With -o json it prints
one WatchJobResponse per line (NDJSON): first a snapshot, then events.
If the server restarts, watch reconnects with its last resume token and misses nothing.

Examples:
  hh watch job_01J9Z3QK
  hh watch job_01J9Z3QK -o json | jq -c 'select(.event) | .event.kind'
  hh watch job_01J9Z3QK && echo 'agent is in the queue'

Exit codes: 0 TRANSFERRED, 3 STOPPED, 4 EXHAUSTED, 5 FAILED, 6 connection lost,
7 unauthenticated, 8 job not found, 130 interrupted.";

const LINES_HELP: &str = "\
Examples:
  hh lines sync                         # read extensions and devices from RingCentral
  hh lines list --free
  hh lines disable 800003 800004
  hh lines pool night-shift 800001 800002
  hh lines pool --clear 800001";

const QUEUES_HELP: &str = "\
Examples:
  hh queues sync                        # read call queues from RingCentral
  hh queues list
  hh queues default 5001";

const RC_HELP: &str = "\
Only the server holds RingCentral credentials; these commands ask it.

Examples:
  hh rc check                           # token grant, webhook subscription, rate limits
  hh rc extensions -o json
  hh rc subscriptions";

const DEMO_HELP: &str = "\
Starts a private stack in this process: redis-server (Debian package `redis-server`), the
RingCentral simulator (accelerated hold times, business hours ignored), the webhook bridge and
the server with a random API token; syncs lines and queues, hunts the simulated IRS PPS line
with 6 lines, shows it live and prints a summary from the simulator's ground truth (time on
hold, detection latency after the agent's first word, time from that word to the queue
ringing). Everything it started is stopped on exit or Ctrl-C.

Examples:
  hh demo
  hh demo --lines 10 --seed 7 --time-scale 120
  hh demo --destination sim-quick       # simulator test line without a phone menu
  hh demo --keep-running                # poke at the stack afterwards
  hh demo --stack-only                  # print {\"server\",\"token\",\"sim\",\"bridge\",\"redis\"} and wait
  hh demo --stack-only --assist         # the same; only an operator's ConfirmLive transfers";

/// `JOB` positional.
#[derive(Debug, Args)]
pub struct JobArg {
    /// Job id, e.g. job_01J9Z3QK...
    #[arg(value_name = "JOB")]
    pub job_id: String,
}

/// `JOB LEG` positionals.
#[derive(Debug, Args)]
pub struct LegArgs {
    /// Job id.
    #[arg(value_name = "JOB")]
    pub job_id: String,
    /// Leg id within the job, e.g. leg-3.
    #[arg(value_name = "LEG")]
    pub leg_id: String,
}

/// `hh start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Destination id (see `hh destinations list`), e.g. irs-pps.
    #[arg(long, short = 'd', value_name = "ID")]
    pub destination: String,
    /// Number of hold lines to dial, 1..=100 (server default 6).
    #[arg(long, short = 'n', value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub lines: Option<u32>,
    /// Call queue id to transfer the winner to (default: the default queue).
    #[arg(long, short = 'q', value_name = "QUEUE_ID")]
    pub queue: Option<String>,
    /// Take lines only from this pool.
    #[arg(long, value_name = "POOL", conflicts_with = "line")]
    pub pool: Option<String>,
    /// Use exactly this line (device id); repeat for more lines.
    #[arg(long = "line", value_name = "LINE_ID")]
    pub line: Vec<String>,
    /// Legs to transfer before the job is satisfied (default 1).
    #[arg(long, value_name = "N")]
    pub max_transfers: Option<u32>,
    /// End the job EXHAUSTED after this long: e.g. 90m, 2h, 1h30m, 45s (1m..12h; default 4h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_duration: Option<Duration>,
    /// Idempotency key: retrying with the same key returns the same job.
    #[arg(long, value_name = "KEY")]
    pub request_id: Option<String>,
    /// Follow the job live after starting it (like `hh watch`).
    #[arg(long, short = 'w')]
    pub watch: bool,
}

/// `hh list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only jobs in this state; repeat for several.
    #[arg(long, value_enum, value_name = "STATE")]
    pub state: Vec<JobStateArg>,
    /// Jobs per page (1..=500).
    #[arg(long, value_name = "N")]
    pub page_size: Option<u32>,
    /// Fetch every page, not only the first.
    #[arg(long)]
    pub all: bool,
}

/// Job states accepted by `hh list --state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JobStateArg {
    Hunting,
    Transferred,
    Stopped,
    Exhausted,
    Failed,
}

/// `hh lines ...`.
#[derive(Debug, Subcommand)]
pub enum LinesCommand {
    /// List hold lines.
    List(LinesListArgs),
    /// Read extensions and devices from RingCentral and update the lines.
    Sync,
    /// Enable lines (they may be dialed).
    Enable(LineIds),
    /// Disable lines (never dialed; a call in progress is not ended).
    Disable(LineIds),
    /// Put lines into a pool (or remove them with --clear).
    Pool(LinesPoolArgs),
}

/// `hh lines list`.
#[derive(Debug, Args)]
pub struct LinesListArgs {
    /// Only lines in this pool.
    #[arg(long, value_name = "POOL")]
    pub pool: Option<String>,
    /// Only free lines (not used by a job).
    #[arg(long)]
    pub free: bool,
}

/// Line ids (device ids).
#[derive(Debug, Args)]
pub struct LineIds {
    /// Line ids (RingCentral device ids), see `hh lines list`.
    #[arg(value_name = "LINE_ID", required = true)]
    pub line_ids: Vec<String>,
}

/// `hh lines pool`: `POOL LINE_ID...`, or `--clear LINE_ID...`.
#[derive(Debug, Args)]
pub struct LinesPoolArgs {
    /// The pool name (1..=64 characters of [A-Za-z0-9_-]) followed by line ids; with --clear,
    /// only line ids.
    #[arg(value_name = "POOL LINE_ID", required = true, num_args = 1..)]
    pub words: Vec<String>,
    /// Remove the lines from their pool (every word is a line id).
    #[arg(long)]
    pub clear: bool,
}

/// `hh queues ...`.
#[derive(Debug, Subcommand)]
pub enum QueuesCommand {
    /// List call queues.
    List,
    /// Read call queues from RingCentral.
    Sync,
    /// Make a queue the default for jobs that name none.
    Default(QueueIdArg),
}

/// Queue id positional.
#[derive(Debug, Args)]
pub struct QueueIdArg {
    /// Call queue id (see `hh queues list`).
    #[arg(value_name = "QUEUE_ID")]
    pub queue_id: String,
}

/// `hh destinations ...`.
#[derive(Debug, Subcommand)]
pub enum DestinationsCommand {
    /// List destinations (presets and custom ones).
    List,
    /// Show one destination with its phone menu and business hours.
    Show(DestinationIdArg),
}

/// Destination id positional.
#[derive(Debug, Args)]
pub struct DestinationIdArg {
    /// Destination id, e.g. irs-pps.
    #[arg(value_name = "ID")]
    pub destination_id: String,
}

/// `hh rc ...`.
#[derive(Debug, Subcommand)]
pub enum RingCentralCommand {
    /// Check credentials, the webhook subscription and rate limits.
    Check,
    /// List the account's extensions.
    Extensions,
    /// List the app's webhook subscriptions.
    Subscriptions,
}

/// `hh demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Hold lines to hunt with.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub lines: u32,
    /// Seed of the simulator (hold times, agent); random when omitted.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Hold times are divided by this (60: a 30 min hold lasts 30 s).
    #[arg(long, default_value_t = 60.0, value_parser = parse_time_scale)]
    pub time_scale: f64,
    /// Destination to hunt: irs-pps (default; its phone menu needs the server's media
    /// pipeline for DTMF) or sim-quick (simulator test line with no phone menu, ~1 min hold).
    #[arg(long, default_value = "irs-pps", value_parser = ["irs-pps", "sim-quick"])]
    pub destination: String,
    /// Leave the stack running after the hunt (until Ctrl-C).
    #[arg(long)]
    pub keep_running: bool,
    /// Only start the stack, print its addresses and token as one JSON line, wait until killed.
    #[arg(long, conflicts_with = "keep_running")]
    pub stack_only: bool,
    /// Assist mode (server `engine.detector_transfers = false`): the detector's LIVE verdicts
    /// are shown on the legs with their cause, but only an operator's ConfirmLive (the
    /// dashboard's "Confirm live", `hh confirm JOB LEG`) transfers. For operator-driven sessions on
    /// `--stack-only`, such as the browser test.
    #[arg(long, requires = "stack_only")]
    pub assist: bool,
    /// Write the embedded stack's logs (server, simulator, webhook bridge; the detector's
    /// evidence for every decision is in the server's `media` lines) to this file. Level
    /// from `RUST_LOG` (default `info`). Without it the stack logs nothing.
    #[arg(long, value_name = "FILE")]
    pub log: Option<std::path::PathBuf>,
}

/// `hh completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// Shell to generate the script for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Parses durations like `90m`, `2h`, `1h30m`, `45s`, `500ms` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty duration; use e.g. 90m, 2h, 1h30m".into());
    }
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total_ms: u128 = 0;
    let mut digits = String::new();
    let mut chars = text.chars().peekable();
    let mut any_unit = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let mut unit = c.to_string();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let value: u128 = digits
            .parse()
            .map_err(|_| format!("`{text}`: expected a number before `{unit}`"))?;
        digits.clear();
        let factor_ms: u128 = match unit.as_str() {
            "ms" => 1,
            "s" | "sec" => 1_000,
            "m" | "min" => 60_000,
            "h" | "hr" => 3_600_000,
            _ => {
                return Err(format!(
                    "`{text}`: unknown unit `{unit}`; use h, m, s or ms (e.g. 90m, 2h, 1h30m)"
                ));
            }
        };
        total_ms += value * factor_ms;
        any_unit = true;
    }
    if !digits.is_empty() || !any_unit {
        return Err(format!(
            "`{text}`: a number needs a unit (h, m, s, ms), e.g. 90m"
        ));
    }
    u64::try_from(total_ms)
        .map(Duration::from_millis)
        .map_err(|_| format!("`{text}` is too long"))
}

fn parse_time_scale(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(1.0..=10_000.0).contains(&value) {
        return Err("time scale must be between 1 and 10000".into());
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn grammar_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("90m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("120"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert!(parse_duration("2x").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("1h30").is_err());
        assert!(parse_duration("").is_err());
    }
}
