//! Job commands: `start`, `get`, `list`, `stop`, `confirm`, `transfer`, `hangup`.

use holdhunter_proto::v1 as pb;
use serde_json::json;

use crate::args::{JobStateArg, LegArgs, ListArgs, OutputFormat, StartArgs};
use crate::client::Connection;
use crate::exit::CliError;
use crate::render::{emit, json, text};

/// `hh start`: returns the started job.
pub async fn start(
    conn: &Connection,
    args: &StartArgs,
    format: OutputFormat,
) -> Result<pb::Job, CliError> {
    let request = start_request(args);
    let job = conn
        .jobs()
        .start_job(request)
        .await
        .map_err(|s| conn.error(s))?
        .into_inner()
        .job
        .unwrap_or_default();
    if !args.watch {
        emit(
            format,
            || json::job(&job),
            || {
                format!(
                    "Started {} on {} ({}) with {} lines; queue {}.\nFollow it: hh watch {}\n",
                    job.job_id,
                    job.destination_id,
                    job.destination_number,
                    job.line_count,
                    if job.queue_id.is_empty() {
                        "-"
                    } else {
                        &job.queue_id
                    },
                    job.job_id
                )
            },
        );
    } else if format == OutputFormat::Table {
        eprintln!(
            "Started {}; watching (Ctrl-C stops watching, not the job).",
            job.job_id
        );
    }
    Ok(job)
}

/// The `StartJobRequest` for `args` (0 / empty = server default).
pub fn start_request(args: &StartArgs) -> pb::StartJobRequest {
    pb::StartJobRequest {
        destination_id: args.destination.clone(),
        line_count: args.lines.unwrap_or(0),
        queue_id: args.queue.clone().unwrap_or_default(),
        pool: args.pool.clone().unwrap_or_default(),
        line_ids: args.line.clone(),
        max_transfers: args.max_transfers.unwrap_or(0),
        max_duration: args.max_duration.map(|d| prost_types::Duration {
            seconds: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            nanos: i32::try_from(d.subsec_nanos()).unwrap_or(0),
        }),
        request_id: args.request_id.clone().unwrap_or_default(),
    }
}

/// `hh get JOB`.
pub async fn get(conn: &Connection, job_id: &str, format: OutputFormat) -> Result<(), CliError> {
    let job = fetch(conn, job_id).await?;
    emit(format, || json::job(&job), || job_table(&job));
    Ok(())
}

/// GetJob.
pub async fn fetch(conn: &Connection, job_id: &str) -> Result<pb::Job, CliError> {
    Ok(conn
        .jobs()
        .get_job(pb::GetJobRequest {
            job_id: job_id.to_string(),
        })
        .await
        .map_err(|s| conn.error(s))?
        .into_inner()
        .job
        .unwrap_or_default())
}

/// `hh list`.
pub async fn list(
    conn: &Connection,
    args: &ListArgs,
    format: OutputFormat,
) -> Result<(), CliError> {
    let states: Vec<i32> = args.state.iter().map(|s| state_value(*s) as i32).collect();
    let mut jobs = Vec::new();
    let mut page_token = String::new();
    let next_page_token = loop {
        let response = conn
            .jobs()
            .list_jobs(pb::ListJobsRequest {
                states: states.clone(),
                page_size: args.page_size.unwrap_or(0),
                page_token: page_token.clone(),
            })
            .await
            .map_err(|s| conn.error(s))?
            .into_inner();
        jobs.extend(response.jobs);
        if !args.all || response.next_page_token.is_empty() {
            break response.next_page_token;
        }
        page_token = response.next_page_token;
    };
    emit(
        format,
        || {
            json!({
                "jobs": jobs.iter().map(json::job).collect::<Vec<_>>(),
                "nextPageToken": next_page_token,
            })
        },
        || {
            if jobs.is_empty() {
                return "No jobs. Start one: hh start --destination irs-pps\n".into();
            }
            let rows: Vec<Vec<String>> = jobs
                .iter()
                .map(|j| {
                    vec![
                        j.job_id.clone(),
                        text::job_state(j.state),
                        j.destination_id.clone(),
                        j.line_count.to_string(),
                        format!("{}/{}", j.transfers, j.max_transfers.max(1)),
                        text::when(j.created_at.as_ref()),
                        text::truncate(&j.status_message, 30),
                    ]
                })
                .collect();
            let mut out = text::table(
                &[
                    "JOB",
                    "STATE",
                    "DESTINATION",
                    "LINES",
                    "XFERS",
                    "CREATED",
                    "STATUS",
                ],
                &rows,
            );
            if !next_page_token.is_empty() {
                out.push_str("(more jobs: pass --all)\n");
            }
            out
        },
    );
    Ok(())
}

fn state_value(s: JobStateArg) -> pb::JobState {
    match s {
        JobStateArg::Hunting => pb::JobState::Hunting,
        JobStateArg::Transferred => pb::JobState::Transferred,
        JobStateArg::Stopped => pb::JobState::Stopped,
        JobStateArg::Exhausted => pb::JobState::Exhausted,
        JobStateArg::Failed => pb::JobState::Failed,
    }
}

/// `hh stop JOB`.
pub async fn stop(conn: &Connection, job_id: &str, format: OutputFormat) -> Result<(), CliError> {
    let job = conn
        .jobs()
        .stop_job(pb::StopJobRequest {
            job_id: job_id.to_string(),
        })
        .await
        .map_err(|s| conn.error(s))?
        .into_inner()
        .job
        .unwrap_or_default();
    emit(
        format,
        || json::job(&job),
        || format!("{} is {}.\n", job.job_id, text::job_state(job.state)),
    );
    Ok(())
}

/// What a leg command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegAction {
    /// ConfirmLive.
    Confirm,
    /// TransferLeg.
    Transfer,
    /// HangupLeg.
    Hangup,
}

/// `hh confirm|transfer|hangup JOB LEG`.
pub async fn leg_action(
    conn: &Connection,
    action: LegAction,
    args: &LegArgs,
    format: OutputFormat,
) -> Result<pb::Leg, CliError> {
    let (job_id, leg_id) = (args.job_id.clone(), args.leg_id.clone());
    let mut jobs = conn.jobs();
    let leg = match action {
        LegAction::Confirm => jobs
            .confirm_live(pb::ConfirmLiveRequest { job_id, leg_id })
            .await
            .map(|r| r.into_inner().leg),
        LegAction::Transfer => jobs
            .transfer_leg(pb::TransferLegRequest { job_id, leg_id })
            .await
            .map(|r| r.into_inner().leg),
        LegAction::Hangup => jobs
            .hangup_leg(pb::HangupLegRequest { job_id, leg_id })
            .await
            .map(|r| r.into_inner().leg),
    }
    .map_err(|s| conn.error(s))?
    .unwrap_or_default();
    emit(
        format,
        || json::leg(&leg),
        || {
            let verb = match action {
                LegAction::Confirm => "confirmed live",
                LegAction::Transfer => "transfer requested",
                LegAction::Hangup => "hung up",
            };
            format!(
                "{} {}: {verb}; now {}.\n",
                args.job_id,
                leg.leg_id,
                text::leg_state(leg.state)
            )
        },
    );
    Ok(leg)
}

/// The job as text: a header and one row per leg.
pub fn job_table(job: &pb::Job) -> String {
    let mut out = format!(
        "Job {}  {}{}\n",
        job.job_id,
        text::job_state(job.state),
        if job.end_cause != 0 {
            format!(" ({})", text::job_end_cause(job.end_cause))
        } else {
            String::new()
        }
    );
    out.push_str(&format!(
        "Destination {} {}  queue {}  lines {}  transfers {}/{}  max {}\n",
        job.destination_id,
        job.destination_number,
        if job.queue_id.is_empty() {
            "-"
        } else {
            &job.queue_id
        },
        job.line_count,
        job.transfers,
        job.max_transfers.max(1),
        text::proto_duration(job.max_duration.as_ref()),
    ));
    out.push_str(&format!(
        "Created {}  ended {}\n",
        text::when(job.created_at.as_ref()),
        text::when(job.ended_at.as_ref())
    ));
    if !job.winner_leg_ids.is_empty() {
        out.push_str(&format!("Winner {}\n", job.winner_leg_ids.join(", ")));
    }
    if !job.status_message.is_empty() {
        out.push_str(&format!("Status {}\n", job.status_message));
    }
    if !job.legs.is_empty() {
        out.push('\n');
        let rows: Vec<Vec<String>> = job.legs.iter().map(leg_row).collect();
        out.push_str(&text::table(
            &["LEG", "STATE", "LINE", "HOLD", "CONF", "CAUSE / END"],
            &rows,
        ));
    }
    out
}

fn leg_row(leg: &pb::Leg) -> Vec<String> {
    let (conf, cause) = match &leg.detection {
        Some(d) if !d.cause.is_empty() || d.confidence > 0.0 => {
            (format!("{:.2}", d.confidence), d.cause.clone())
        }
        _ => (String::new(), String::new()),
    };
    let cause = if leg.end_reason != 0 {
        let mut end = text::leg_end_reason(leg.end_reason);
        if !leg.provider_error_code.is_empty() {
            end.push_str(&format!(" {}", leg.provider_error_code));
        }
        end
    } else {
        cause
    };
    vec![
        format!("{}{}", leg.leg_id, if leg.winner { " *" } else { "" }),
        text::leg_state(leg.state),
        leg.extension_number.clone(),
        if leg.hold_ms > 0 {
            text::clock(leg.hold_ms)
        } else {
            String::new()
        },
        conf,
        text::truncate(&cause, 32),
    ]
}
