//! `hh watch`: follows a job's `WatchJob` stream until the job ends, reconnecting with the last
//! resume token (exponential backoff 0.5 s → 5 s) when the connection drops or the server
//! restarts, so no event is missed. The exit code tells how the job ended.

pub mod view;

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use holdhunter_proto::v1 as pb;
use tokio::sync::mpsc;
use tokio_stream::StreamExt;
use tonic::Code;

use crate::args::OutputFormat;
use crate::client::Connection;
use crate::exit::{self, CliError, status_reason};
use crate::render::json;
use view::{JobView, Link};

/// How a watch ended.
#[derive(Debug, Clone)]
pub struct WatchOutcome {
    /// Exit code for the job's terminal state (0 TRANSFERRED, 3, 4, 5).
    pub exit_code: i32,
    /// The job as last seen.
    pub job: pb::Job,
    /// Every event received, in order.
    pub events: Vec<pb::JobEvent>,
}

/// Options of [`follow`].
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Output format (table = live view or log lines; json = NDJSON).
    pub format: OutputFormat,
    /// Redraw in place (default: stdout is a terminal and format is table).
    pub redraw: bool,
    /// Give up reconnecting after this long without a stream (exit 6).
    pub reconnect_for: Duration,
}

impl WatchOptions {
    /// Defaults for `format`: redraw when stdout is a terminal; reconnect for 10 minutes.
    pub fn new(format: OutputFormat) -> Self {
        Self {
            format,
            redraw: format == OutputFormat::Table && std::io::stdout().is_terminal(),
            reconnect_for: Duration::from_secs(600),
        }
    }
}

/// Exit code for a terminal job state.
pub fn exit_code_for(state: pb::JobState) -> i32 {
    match state {
        pb::JobState::Transferred => exit::OK,
        pb::JobState::Stopped => exit::STOPPED,
        pb::JobState::Exhausted => exit::EXHAUSTED,
        pb::JobState::Failed => exit::FAILED,
        pb::JobState::Hunting | pb::JobState::Unspecified => exit::OTHER,
    }
}

/// Writes frames (TTY) or lines (pipe / JSON).
struct Printer {
    format: OutputFormat,
    redraw: bool,
    drawn_lines: usize,
}

impl Printer {
    fn draw(&mut self, view: &JobView) {
        if !self.redraw {
            return;
        }
        let frame = view.frame(jiff::Timestamp::now());
        let mut out = String::new();
        if self.drawn_lines > 0 {
            out.push_str(&format!("\x1b[{}A\r", self.drawn_lines));
        }
        for line in &frame {
            out.push_str("\x1b[2K");
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("\x1b[J");
        self.drawn_lines = frame.len();
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(out.as_bytes());
        let _ = stdout.flush();
    }

    fn log(&mut self, lines: &[String]) {
        if self.redraw || self.format == OutputFormat::Json {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        for line in lines {
            let _ = writeln!(stdout, "{line}");
        }
        let _ = stdout.flush();
    }

    fn json(&mut self, response: &pb::WatchJobResponse) {
        if self.format != OutputFormat::Json {
            return;
        }
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", json::watch_response(response));
        let _ = stdout.flush();
    }

    /// Connection notes: in the frame on a TTY, on stderr otherwise.
    fn status(&mut self, text: &str) {
        if !self.redraw {
            eprintln!("{text}");
        }
    }
}

/// Follows `job_id` until it is terminal. `notes` are extra lines to show (the demo uses it to
/// say what its operator did). Returns the outcome; errors: the first connection fails
/// (unreachable, unauthenticated, not found) or reconnecting failed for
/// [`WatchOptions::reconnect_for`].
pub async fn follow(
    conn: &Connection,
    job_id: &str,
    options: &WatchOptions,
    mut notes: Option<mpsc::UnboundedReceiver<String>>,
) -> Result<WatchOutcome, CliError> {
    let mut printer = Printer {
        format: options.format,
        redraw: options.redraw,
        drawn_lines: 0,
    };
    let mut view = JobView::new();
    let mut events = Vec::new();
    let mut resume_token = String::new();
    let mut attempt: u32 = 0;
    let mut ever_connected = false;
    let mut lost_since: Option<Instant> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    printer.draw(&view);

    loop {
        let request = pb::WatchJobRequest {
            job_id: job_id.to_string(),
            resume_token: resume_token.clone(),
        };
        let opened = conn.jobs().watch_job(request).await;
        let failure: tonic::Status = match opened {
            Ok(response) => {
                let mut stream = response.into_inner();
                let mut received_any = false;
                view.link = Link::Live;
                printer.draw(&view);
                let end = loop {
                    tokio::select! {
                        message = stream.next() => match message {
                            Some(Ok(response)) => {
                                if !received_any {
                                    received_any = true;
                                    ever_connected = true;
                                    attempt = 0;
                                    lost_since = None;
                                }
                                if !response.resume_token.is_empty() {
                                    resume_token = response.resume_token.clone();
                                }
                                printer.json(&response);
                                let lines = view.apply(&response);
                                printer.log(&lines);
                                if let Some(pb::watch_job_response::Payload::Event(e)) = &response.payload {
                                    events.push(e.clone());
                                }
                                printer.draw(&view);
                            }
                            // The server ends the stream once the job and every leg are
                            // terminal (so the losers' final states are shown); an error after
                            // the job ended does not matter either.
                            Some(Err(_)) | None if view.is_terminal() => {
                                view.link = Link::Done;
                                printer.draw(&view);
                                let job = view.job.clone().unwrap_or_default();
                                return Ok(WatchOutcome {
                                    exit_code: exit_code_for(job.state()),
                                    job,
                                    events,
                                });
                            }
                            Some(Err(status)) => break status,
                            None => break tonic::Status::unavailable("the server ended the stream"),
                        },
                        note = next_note(&mut notes) => match note {
                            Some(note) => {
                                let line = view.note(note);
                                printer.log(&[line]);
                                printer.draw(&view);
                            }
                            None => notes = None,
                        },
                        _ = tick.tick() => printer.draw(&view),
                    }
                };
                if received_any {
                    ever_connected = true;
                }
                end
            }
            Err(status) => status,
        };

        // Decide: give up, or reconnect with the last resume token.
        let reason = status_reason(&failure);
        if reason.as_deref() == Some("INVALID_RESUME_TOKEN") {
            resume_token.clear();
        } else if !ever_connected || !is_retryable(&failure) {
            return Err(conn.error(failure));
        }
        let since = *lost_since.get_or_insert_with(Instant::now);
        if since.elapsed() > options.reconnect_for {
            return Err(conn.error(failure));
        }
        attempt += 1;
        if std::env::var_os("HH_DEBUG_WATCH").is_some() {
            eprintln!("watch stream ended: {failure:?}");
        }
        let why = short_reason(&failure);
        view.link = Link::Reconnecting(attempt, why.clone());
        printer.status(&format!("reconnecting… (try {attempt}: {why})"));
        printer.draw(&view);
        let backoff = Duration::from_millis(500u64.saturating_mul(1 << (attempt - 1).min(4)))
            .min(Duration::from_secs(5));
        let wake = tokio::time::Instant::now() + backoff;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(wake) => break,
                _ = tick.tick() => printer.draw(&view),
            }
        }
    }
}

async fn next_note(notes: &mut Option<mpsc::UnboundedReceiver<String>>) -> Option<String> {
    match notes {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn is_retryable(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        Code::Unavailable
            | Code::Unknown
            | Code::Cancelled
            | Code::DeadlineExceeded
            | Code::Internal
            | Code::Aborted
    )
}

fn short_reason(status: &tonic::Status) -> String {
    if let Some(reason) = status_reason(status) {
        reason
    } else if crate::exit::is_transport_failure(status) {
        "server unreachable".into()
    } else {
        let text = status.message();
        if text.is_empty() {
            format!("{:?}", status.code())
        } else {
            crate::render::text::truncate(text, 40)
        }
    }
}

/// One-line summary after a watch, for people.
pub fn summary(job: &pb::Job) -> String {
    use crate::render::text;
    match job.state() {
        pb::JobState::Transferred => format!(
            "{} TRANSFERRED: {} → queue {}.",
            job.job_id,
            job.winner_leg_ids.join(", "),
            job.queue_id
        ),
        state => format!(
            "{} {}{}{}",
            job.job_id,
            text::job_state(state as i32),
            if job.end_cause != 0 {
                format!(" ({})", text::job_end_cause(job.end_cause))
            } else {
                String::new()
            },
            if job.status_message.is_empty() {
                String::new()
            } else {
                format!(": {}", job.status_message)
            }
        ),
    }
}
