//! Exit codes and the one error type of `hh`: every failure becomes a [`CliError`] whose
//! message says what to do, and whose [`CliError::exit_code`] scripts can branch on.
//! Secrets (the API token) never appear in these messages.

use holdhunter_proto::ERROR_REASON_METADATA_KEY;
use tonic::Code;
use tonic_types::StatusExt;

/// Success; for `watch`, the job ended TRANSFERRED.
pub const OK: i32 = 0;
/// Any other failure.
pub const OTHER: i32 = 1;
/// Usage error or INVALID_ARGUMENT.
pub const USAGE: i32 = 2;
/// `watch`: the job ended STOPPED.
pub const STOPPED: i32 = 3;
/// `watch`: the job ended EXHAUSTED.
pub const EXHAUSTED: i32 = 4;
/// `watch`: the job ended FAILED.
pub const FAILED: i32 = 5;
/// Server unreachable, connection lost, or UNAVAILABLE.
pub const UNREACHABLE: i32 = 6;
/// UNAUTHENTICATED / PERMISSION_DENIED.
pub const UNAUTHENTICATED: i32 = 7;
/// NOT_FOUND.
pub const NOT_FOUND: i32 = 8;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: i32 = 130;

/// A failure of an `hh` command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The server could not be reached at all.
    #[error(
        "cannot reach the Hold Hunter server at {url} ({detail}).\n\
         Start it (hold-hunter-server), point --server/HH_SERVER at it, or run `hh demo` for a \
         local simulated stack."
    )]
    Unreachable {
        /// The `--server` URL.
        url: String,
        /// Transport detail (never contains the token).
        detail: String,
    },
    /// A gRPC status returned by the server.
    #[error("{message}")]
    Status {
        /// gRPC code.
        code: Code,
        /// `hh-error-reason` / ErrorInfo reason, if any.
        reason: Option<String>,
        /// Text for people, including what to do.
        message: String,
    },
    /// A local usage problem (bad flag combination, unreadable token file).
    #[error("{0}")]
    Usage(String),
    /// Anything else.
    #[error("{0:#}")]
    Other(#[from] anyhow::Error),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Unreachable { .. } => UNREACHABLE,
            CliError::Usage(_) => USAGE,
            CliError::Other(_) => OTHER,
            CliError::Status { code, .. } => match code {
                Code::InvalidArgument | Code::OutOfRange => USAGE,
                Code::Unauthenticated | Code::PermissionDenied => UNAUTHENTICATED,
                Code::NotFound => NOT_FOUND,
                Code::Unavailable => UNREACHABLE,
                _ => OTHER,
            },
        }
    }

    /// Machine-readable reason (e.g. `LINES_UNAVAILABLE`), when the server sent one.
    pub fn reason(&self) -> Option<&str> {
        match self {
            CliError::Status { reason, .. } => reason.as_deref(),
            CliError::Unreachable { .. } => Some("SERVER_UNREACHABLE"),
            _ => None,
        }
    }

    /// Turns a gRPC status into an error that names the problem and the fix. `server` is the
    /// URL used, named in connection errors.
    pub fn from_status(status: &tonic::Status, server: &str) -> CliError {
        let reason = status_reason(status);
        // Without a reason the status was produced by the client transport, not the server.
        if reason.is_none() && is_transport_failure(status) {
            return CliError::Unreachable {
                url: server.to_string(),
                detail: transport_detail(status),
            };
        }
        let text = status.message().trim();
        let message = match status.code() {
            Code::Unauthenticated => format!(
                "the server rejected the API token ({}). Set HH_TOKEN to a valid API token, or \
                 pass --token-file PATH.",
                if text.is_empty() {
                    "unauthenticated"
                } else {
                    text
                }
            ),
            Code::PermissionDenied => format!(
                "permission denied: {text}. Use an API token that is allowed to do this (HH_TOKEN)."
            ),
            Code::InvalidArgument | Code::OutOfRange => {
                let fields = bad_request_fields(status);
                if fields.is_empty() {
                    format!("invalid argument: {text}")
                } else {
                    let named: Vec<String> = fields
                        .iter()
                        .map(|(field, why)| format!("`{field}`: {why}"))
                        .collect();
                    format!("invalid argument: {}", named.join("; "))
                }
            }
            Code::NotFound => format!("not found: {text}"),
            Code::FailedPrecondition => format!("cannot do that now: {text}{}", hint(&reason)),
            Code::Unavailable => {
                format!("the server is unavailable: {text}. Retry in a moment.")
            }
            code => format!(
                "{} ({code:?})",
                if text.is_empty() { "error" } else { text }
            ),
        };
        let message = match &reason {
            Some(r) => format!("{message} [{r}]"),
            None => message,
        };
        CliError::Status {
            code: status.code(),
            reason,
            message,
        }
    }
}

fn hint(reason: &Option<String>) -> &'static str {
    match reason.as_deref() {
        Some("LINES_UNAVAILABLE") => {
            ". See `hh lines list --free`; sync with `hh lines sync` or ask for fewer --lines"
        }
        Some("NO_DEFAULT_QUEUE") => ". Pass --queue ID or set one with `hh queues default ID`",
        Some("LINE_IN_USE") => ". See `hh lines list` for which job uses it",
        Some("JOB_NOT_ACTIVE") => ". The job already ended (`hh get JOB`)",
        _ => "",
    }
}

/// The machine-readable reason: `hh-error-reason` metadata, else `ErrorInfo.reason`.
pub fn status_reason(status: &tonic::Status) -> Option<String> {
    if let Some(value) = status.metadata().get(ERROR_REASON_METADATA_KEY)
        && let Ok(text) = value.to_str()
        && !text.is_empty()
    {
        return Some(text.to_string());
    }
    status
        .get_details_error_info()
        .map(|info| info.reason)
        .filter(|r| !r.is_empty())
}

/// `(field, description)` pairs of a `google.rpc.BadRequest` detail.
pub fn bad_request_fields(status: &tonic::Status) -> Vec<(String, String)> {
    status
        .get_details_bad_request()
        .map(|br| {
            br.field_violations
                .into_iter()
                .map(|v| (v.field, v.description))
                .collect()
        })
        .unwrap_or_default()
}

/// True when the status comes from the client side failing to talk to the server (connection
/// refused, reset, DNS, timeout), as tonic reports it.
pub fn is_transport_failure(status: &tonic::Status) -> bool {
    use std::error::Error as _;
    match status.code() {
        Code::Unavailable | Code::Unknown | Code::Cancelled | Code::DeadlineExceeded => {}
        _ => return false,
    }
    if status.source().is_some() {
        return true;
    }
    let text = status.message().to_ascii_lowercase();
    [
        "transport",
        "connect",
        "connection",
        "broken pipe",
        "timed out",
        "dns",
        "h2 protocol",
    ]
    .iter()
    .any(|needle| text.contains(needle))
}

fn transport_detail(status: &tonic::Status) -> String {
    use std::error::Error as _;
    let mut detail = status.message().to_string();
    let mut source = status.source();
    while let Some(err) = source {
        let text = err.to_string();
        if !detail.contains(&text) {
            detail.push_str(": ");
            detail.push_str(&text);
        }
        source = err.source();
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_argument_names_the_field_from_bad_request() {
        use tonic_types::{ErrorDetails, StatusExt};
        let mut details = ErrorDetails::with_bad_request_violation("line_count", "must be 1..=100");
        details.set_error_info(
            "INVALID_ARGUMENT",
            "holdhunter.v1",
            std::collections::HashMap::<String, String>::new(),
        );
        let status =
            tonic::Status::with_error_details(Code::InvalidArgument, "bad request", details);
        let err = CliError::from_status(&status, "http://x");
        assert_eq!(err.exit_code(), USAGE);
        assert!(
            err.to_string().contains("`line_count`: must be 1..=100"),
            "{err}"
        );
        assert_eq!(err.reason(), Some("INVALID_ARGUMENT"));
    }

    #[test]
    fn reason_from_metadata_wins() {
        let mut status = tonic::Status::failed_precondition("only 2 free lines");
        status.metadata_mut().insert(
            ERROR_REASON_METADATA_KEY,
            "LINES_UNAVAILABLE".parse().unwrap(),
        );
        let err = CliError::from_status(&status, "http://x");
        assert_eq!(err.exit_code(), OTHER);
        assert!(err.to_string().contains("hh lines list --free"), "{err}");
    }

    #[test]
    fn codes_map_to_exit_codes() {
        let cases = [
            (tonic::Status::unauthenticated("no token"), UNAUTHENTICATED),
            (tonic::Status::not_found("job job_1"), NOT_FOUND),
            (tonic::Status::internal("boom"), OTHER),
        ];
        for (status, code) in cases {
            assert_eq!(CliError::from_status(&status, "u").exit_code(), code);
        }
        let err = CliError::from_status(&tonic::Status::unauthenticated("x"), "u");
        assert!(err.to_string().contains("HH_TOKEN"));
    }
}
