//! The crate's error type, parsed from RingCentral error bodies.
//!
//! RingCentral REST errors carry `{"errors":[{"errorCode":"CMN-101","message":"…",
//! "parameterName":"…"}]}` (SPEC `ApiError`); the OAuth endpoints add `error` /
//! `error_description` (SPEC `OauthInvalidRequest`). Error messages never contain request
//! secrets (client secret, JWT, tokens).

use std::time::Duration;

use serde::Deserialize;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure of a RingCentral call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The platform answered with a non-success HTTP status (other than a 429 that was waited
    /// out). `error_code` is e.g. `CMN-102`, `TAS-102`, `SUB-505` (DOCS errors.md).
    #[error("RingCentral API error: HTTP {status}{}: {message}{}",
        error_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default(),
        parameter_name.as_deref().map(|p| format!(" (parameter {p})")).unwrap_or_default())]
    Api {
        /// HTTP status code.
        status: u16,
        /// First `errors[].errorCode` (or the top-level `errorCode` / OAuth `error`).
        error_code: Option<String>,
        /// First `errors[].message`, else `error_description` / `message`, else the HTTP
        /// reason phrase.
        message: String,
        /// First `errors[].parameterName`, when the platform names the bad parameter.
        parameter_name: Option<String>,
    },
    /// HTTP 429 and the `Retry-After` wait would exceed [`crate::Config::max_rate_limit_wait`]
    /// (DOCS rate-limits.md; error code CMN-301).
    #[error("RingCentral rate limit exceeded (group {}); retry after {} ms",
        group.as_deref().unwrap_or("unknown"), retry_after.as_millis())]
    RateLimited {
        /// `X-Rate-Limit-Group` of the 429 response (e.g. `heavy`); `None` when absent, which
        /// means a non-user-level limit was hit (DOCS rate-limits.md).
        group: Option<String>,
        /// How long the platform asked to wait (`Retry-After`, or the configured default).
        retry_after: Duration,
    },
    /// Login, refresh or revoke at `/restapi/oauth/*` failed (SPEC `getToken`, `revokeToken`).
    #[error("RingCentral authentication failed{}{}: {message}",
        status.map(|s| format!(": HTTP {s}")).unwrap_or_default(),
        error_code.as_deref().map(|c| format!(" {c}")).unwrap_or_default())]
    Auth {
        /// HTTP status of the token endpoint response, if one was received.
        status: Option<u16>,
        /// OAuth `error` (e.g. `invalid_grant`) or the first `errors[].errorCode`
        /// (e.g. `OAU-146`).
        error_code: Option<String>,
        /// `error_description` / `errors[].message`; never contains a secret.
        message: String,
    },
    /// The request could not be sent or the response could not be read (connection refused,
    /// TLS, reset ...). The URL is stripped from the source error.
    #[error("RingCentral transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The response body did not match the expected type.
    #[error("could not decode RingCentral response as {what}: {message}")]
    Decode {
        /// Name of the expected type.
        what: &'static str,
        /// Decoder message (for secret-bearing types only line and column).
        message: String,
    },
    /// The request exceeded [`crate::Config::request_timeout`].
    #[error("RingCentral request timed out")]
    Timeout,
    /// A request URL could not be built from the configuration (e.g. a `server_url` that
    /// cannot be a base).
    #[error("invalid RingCentral client configuration: {0}")]
    Config(String),
}

impl Error {
    /// HTTP status of the response that caused the error, if there was one (429 for
    /// [`Error::RateLimited`]).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// RingCentral error code (`CMN-102`, `TAS-102`, OAuth `invalid_grant` ...) if any.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api { error_code, .. } | Error::Auth { error_code, .. } => error_code.as_deref(),
            _ => None,
        }
    }

    /// True for HTTP 404 (unknown or finished telephony session, unknown subscription ...).
    /// CCJS treats 404 on `DELETE session` as "already gone".
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status: 404, .. })
    }

    /// True when retrying the same request later may succeed: rate limits, timeouts, transport
    /// failures and HTTP 500/502/503/504 (SPEC lists 503 `CMN-201` "Service Temporary
    /// Unavailable").
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Timeout | Error::Transport(_) => true,
            Error::Api { status, .. }
            | Error::Auth {
                status: Some(status),
                ..
            } => {
                matches!(*status, 429 | 500 | 502 | 503 | 504)
            }
            _ => false,
        }
    }

    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Error::Timeout
        } else {
            Error::Transport(err.without_url())
        }
    }

    /// Builds [`Error::Api`] from a non-success response.
    pub(crate) fn from_api_body(status: u16, body: &[u8]) -> Self {
        let parsed = ErrorBody::parse(status, body);
        Error::Api {
            status,
            error_code: parsed.error_code,
            message: parsed.message,
            parameter_name: parsed.parameter_name,
        }
    }

    /// Builds [`Error::Auth`] from a non-success `/restapi/oauth/*` response. The OAuth
    /// `error` field is preferred as the code (`invalid_grant` ...).
    pub(crate) fn from_auth_body(status: u16, body: &[u8]) -> Self {
        let parsed = ErrorBody::parse(status, body);
        Error::Auth {
            status: Some(status),
            error_code: parsed.oauth_error.or(parsed.error_code),
            message: parsed.message,
        }
    }
}

/// Fields of RingCentral error bodies this crate reads.
struct ErrorBody {
    error_code: Option<String>,
    oauth_error: Option<String>,
    message: String,
    parameter_name: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireErrorBody {
    #[serde(default)]
    errors: Vec<WireApiError>,
    error_code: Option<String>,
    message: Option<String>,
    error: Option<String>,
    #[serde(rename = "error_description")]
    error_description: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireApiError {
    error_code: Option<String>,
    message: Option<String>,
    parameter_name: Option<String>,
}

impl ErrorBody {
    fn parse(status: u16, body: &[u8]) -> Self {
        let wire: WireErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let first = wire.errors.into_iter().next();
        let (first_code, first_message, parameter_name) = match first {
            Some(e) => (e.error_code, e.message, e.parameter_name),
            None => (None, None, None),
        };
        let message = first_message
            .or(wire.error_description)
            .or(wire.message)
            .or(wire.description)
            .unwrap_or_else(|| {
                reqwest::StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("unknown error")
                    .to_owned()
            });
        ErrorBody {
            error_code: first_code.or(wire.error_code).or(wire.error.clone()),
            oauth_error: wire.error,
            message,
            parameter_name,
        }
    }
}
