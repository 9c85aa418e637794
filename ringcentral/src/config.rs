//! Client configuration: server, app credentials, JWT, timeouts and rate-limit waits.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// Configuration of a [`crate::Client`].
///
/// Secrets (`client_secret`, `jwt`) are [`SecretString`]s; the [`fmt::Debug`] impl prints
/// `[REDACTED]` in their place, so a `Config` can be logged safely.
#[derive(Clone)]
pub struct Config {
    /// Base URL of the platform, e.g. `https://platform.ringcentral.com` (SPEC servers) or the
    /// simulator's `http://127.0.0.1:<port>`. A path prefix, if any, is kept.
    pub server_url: Url,
    /// OAuth client id of the RingCentral app (sent in the `Basic` client authentication).
    pub client_id: String,
    /// OAuth client secret of the app (confidential client, `client_secret_basic`).
    pub client_secret: SecretString,
    /// The JWT credential used in the JWT bearer grant (SPEC `JwtTokenRequest.assertion`).
    pub jwt: SecretString,
    /// Account id used in `/restapi/v1.0/account/{accountId}/...` paths; `~` means "the
    /// account of the authorized user" (SPEC). Default `~`.
    pub account_id: String,
    /// Extension id used in `/extension/{extensionId}/...` paths; `~` means "the authorized
    /// extension" (SPEC). Default `~`.
    pub extension_id: String,
    /// How long before the access token expires the client refreshes it proactively.
    /// Default 5 min. Clamped to half the token lifetime so a short-lived token is not
    /// refreshed on every call.
    pub refresh_margin: Duration,
    /// Timeout of one HTTP request (connect + response body). Default 30 s. Exceeding it gives
    /// [`crate::Error::Timeout`].
    pub request_timeout: Duration,
    /// Maximum total time one call may spend waiting out HTTP 429 responses before it gives up
    /// with [`crate::Error::RateLimited`]. Default 60 s.
    pub max_rate_limit_wait: Duration,
    /// Wait used when a 429 response carries no `Retry-After` header. DOCS rate-limits.md says
    /// "retry after 30 s or more"; default 30 s. Tests set it small.
    pub default_retry_after: Duration,
    /// `User-Agent` header sent with every request.
    pub user_agent: String,
}

impl Config {
    /// The production API server (SPEC `servers`).
    pub const PRODUCTION_SERVER_URL: &'static str = "https://platform.ringcentral.com";
    /// Default [`Config::refresh_margin`]: 5 min.
    pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);
    /// Default [`Config::request_timeout`]: 30 s.
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default [`Config::max_rate_limit_wait`]: 60 s.
    pub const DEFAULT_MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(60);
    /// Default [`Config::default_retry_after`]: 30 s (DOCS rate-limits.md).
    pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

    /// A configuration with every optional field at its default (`account_id` and
    /// `extension_id` = `~`, refresh margin 5 min, request timeout 30 s, max 429 wait 60 s,
    /// default `Retry-After` 30 s).
    pub fn new(
        server_url: Url,
        client_id: impl Into<String>,
        client_secret: SecretString,
        jwt: SecretString,
    ) -> Self {
        Self {
            server_url,
            client_id: client_id.into(),
            client_secret,
            jwt,
            account_id: "~".to_owned(),
            extension_id: "~".to_owned(),
            refresh_margin: Self::DEFAULT_REFRESH_MARGIN,
            request_timeout: Self::DEFAULT_REQUEST_TIMEOUT,
            max_rate_limit_wait: Self::DEFAULT_MAX_RATE_LIMIT_WAIT,
            default_retry_after: Self::DEFAULT_RETRY_AFTER,
            user_agent: concat!("hold-hunter-ringcentral/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("server_url", &self.server_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("jwt", &"[REDACTED]")
            .field("account_id", &self.account_id)
            .field("extension_id", &self.extension_id)
            .field("refresh_margin", &self.refresh_margin)
            .field("request_timeout", &self.request_timeout)
            .field("max_rate_limit_wait", &self.max_rate_limit_wait)
            .field("default_retry_after", &self.default_retry_after)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}
