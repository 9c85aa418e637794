//! The server's one domain error and its one exhaustive mapping onto `tonic::Status`
//! (code + `google.rpc.ErrorInfo` + `google.rpc.BadRequest` + `hh-error-reason` metadata).

use std::collections::HashMap;

use holdhunter_proto::{ERROR_DOMAIN, ERROR_REASON_METADATA_KEY};
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// Result alias of the server.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure a handler or the engine can report. Messages never contain secrets.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request field is missing or out of range.
    #[error("{field}: {description}")]
    InvalidArgument {
        /// Field path, e.g. `line_count`.
        field: String,
        /// What is wrong.
        description: String,
    },
    /// The request is valid but conflicts with the object's nature (e.g. replacing a preset).
    #[error("{field}: {description}")]
    FailedArgument {
        /// Field path.
        field: String,
        /// What is wrong.
        description: String,
    },
    /// Missing or wrong bearer token.
    #[error("missing or invalid bearer token")]
    Unauthenticated,
    /// Unknown or expired job.
    #[error("job {0} not found")]
    JobNotFound(String),
    /// Unknown leg.
    #[error("leg {leg_id} not found in job {job_id}")]
    LegNotFound {
        /// Job id.
        job_id: String,
        /// Leg id.
        leg_id: String,
    },
    /// Unknown destination.
    #[error("destination {0} not found")]
    DestinationNotFound(String),
    /// Unknown call queue.
    #[error("call queue {0} not found (run SyncQueues?)")]
    QueueNotFound(String),
    /// Unknown line.
    #[error("line {0} not found (run SyncLines?)")]
    LineNotFound(String),
    /// No queue given and no default queue.
    #[error("no queue_id given and no default call queue set (SetDefaultQueue)")]
    NoDefaultQueue,
    /// Too few free enabled lines.
    #[error("{requested} lines requested but only {available} free enabled lines")]
    LinesUnavailable {
        /// Lines requested.
        requested: u32,
        /// Lines free.
        available: u32,
    },
    /// An explicitly requested line is busy or disabled.
    #[error("line {line_id} is {why}")]
    LineInUse {
        /// Line id.
        line_id: String,
        /// e.g. "in use by job job_…" or "disabled".
        why: String,
    },
    /// The job is terminal.
    #[error("job {0} is no longer hunting")]
    JobNotActive(String),
    /// The leg's state does not allow the operation.
    #[error("leg {leg_id} is {state}")]
    LegNotActive {
        /// Leg id.
        leg_id: String,
        /// Current state name.
        state: String,
    },
    /// The job already has max_transfers winners.
    #[error("job {0} already has its winners")]
    JobSatisfied(String),
    /// RingCentral 429.
    #[error("RingCentral rate limited the request; retry later")]
    RingCentralRateLimited,
    /// RingCentral rejected the request.
    #[error("RingCentral rejected the request: {0}")]
    RingCentral(String),
    /// RingCentral unreachable or authentication failed.
    #[error("RingCentral unavailable: {0}")]
    RingCentralUnavailable(String),
    /// Redis unreachable or failing.
    #[error("store unavailable: {0}")]
    Store(String),
    /// Shutting down.
    #[error("server is shutting down")]
    ShuttingDown,
    /// Bad WatchJob resume token.
    #[error("resume token {0:?} is malformed")]
    InvalidResumeToken(String),
    /// A bug or unexpected fault; logged with a correlation id, not sent to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(field: impl Into<String>, description: impl Into<String>) -> Self {
        Error::InvalidArgument {
            field: field.into(),
            description: description.into(),
        }
    }

    /// The `ErrorReason` name without prefix (e.g. `LINES_UNAVAILABLE`).
    pub fn reason(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } | Error::FailedArgument { .. } => "INVALID_ARGUMENT",
            Error::Unauthenticated => "UNAUTHENTICATED",
            Error::JobNotFound(_) => "JOB_NOT_FOUND",
            Error::LegNotFound { .. } => "LEG_NOT_FOUND",
            Error::DestinationNotFound(_) => "DESTINATION_NOT_FOUND",
            Error::QueueNotFound(_) => "QUEUE_NOT_FOUND",
            Error::LineNotFound(_) => "LINE_NOT_FOUND",
            Error::NoDefaultQueue => "NO_DEFAULT_QUEUE",
            Error::LinesUnavailable { .. } => "LINES_UNAVAILABLE",
            Error::LineInUse { .. } => "LINE_IN_USE",
            Error::JobNotActive(_) => "JOB_NOT_ACTIVE",
            Error::LegNotActive { .. } => "LEG_NOT_ACTIVE",
            Error::JobSatisfied(_) => "JOB_SATISFIED",
            Error::RingCentralRateLimited => "RINGCENTRAL_RATE_LIMITED",
            Error::RingCentral(_) => "RINGCENTRAL_ERROR",
            Error::RingCentralUnavailable(_) => "RINGCENTRAL_UNAVAILABLE",
            Error::Store(_) => "STORE_UNAVAILABLE",
            Error::ShuttingDown => "SHUTTING_DOWN",
            Error::InvalidResumeToken(_) => "INVALID_RESUME_TOKEN",
            Error::Internal(_) => "INTERNAL",
        }
    }
}

impl From<Error> for Status {
    fn from(err: Error) -> Status {
        let reason = err.reason();
        let mut details = ErrorDetails::new();
        details.set_error_info(reason, ERROR_DOMAIN, HashMap::new());
        let (code, message) = match &err {
            Error::InvalidArgument { field, description } => {
                details.add_bad_request_violation(field.clone(), description.clone());
                (Code::InvalidArgument, err.to_string())
            }
            Error::FailedArgument { field, description } => {
                details.add_bad_request_violation(field.clone(), description.clone());
                (Code::FailedPrecondition, err.to_string())
            }
            Error::Unauthenticated => (Code::Unauthenticated, err.to_string()),
            Error::JobNotFound(_)
            | Error::LegNotFound { .. }
            | Error::DestinationNotFound(_)
            | Error::QueueNotFound(_)
            | Error::LineNotFound(_) => (Code::NotFound, err.to_string()),
            Error::NoDefaultQueue
            | Error::LinesUnavailable { .. }
            | Error::LineInUse { .. }
            | Error::JobNotActive(_)
            | Error::LegNotActive { .. }
            | Error::JobSatisfied(_) => (Code::FailedPrecondition, err.to_string()),
            Error::RingCentralRateLimited => (Code::ResourceExhausted, err.to_string()),
            Error::RingCentral(_) => (Code::FailedPrecondition, err.to_string()),
            Error::RingCentralUnavailable(_) | Error::Store(_) | Error::ShuttingDown => {
                (Code::Unavailable, err.to_string())
            }
            Error::InvalidResumeToken(_) => {
                details.add_bad_request_violation("resume_token", "malformed");
                (Code::InvalidArgument, err.to_string())
            }
            Error::Internal(detail) => {
                let correlation_id = uuid::Uuid::new_v4();
                tracing::error!(%correlation_id, detail = %detail, "internal error");
                (
                    Code::Internal,
                    format!("internal error (correlation id {correlation_id})"),
                )
            }
        };
        let mut status = Status::with_error_details(code, message, details);
        if let Ok(value) = reason.parse() {
            status
                .metadata_mut()
                .insert(ERROR_REASON_METADATA_KEY, value);
        }
        status
    }
}

impl From<redis::RedisError> for Error {
    fn from(err: redis::RedisError) -> Self {
        Error::Store(err.to_string())
    }
}

impl From<ringcentral::Error> for Error {
    fn from(err: ringcentral::Error) -> Self {
        match &err {
            ringcentral::Error::RateLimited { .. } => Error::RingCentralRateLimited,
            ringcentral::Error::Api { .. } => Error::RingCentral(err.to_string()),
            ringcentral::Error::Auth { .. }
            | ringcentral::Error::Transport(_)
            | ringcentral::Error::Timeout
            | ringcentral::Error::Config(_) => Error::RingCentralUnavailable(err.to_string()),
            ringcentral::Error::Decode { .. } => Error::Internal(err.to_string()),
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Error::Internal(format!("stored record does not decode: {err}"))
    }
}
