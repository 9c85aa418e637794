//! OAuth token response (SPEC `TokenInfo`).

use secrecy::SecretString;
use serde::Deserialize;

/// `POST /restapi/oauth/token` 200 body (SPEC `TokenInfo`; fixture
/// `oauth-token-response-jwt.json`). Field names are snake_case on the wire. Token fields are
/// [`SecretString`]s, so `Debug` prints them redacted.
#[derive(Debug, Clone, Deserialize)]
pub struct TokenInfo {
    /// Bearer access token.
    pub access_token: SecretString,
    /// Always `bearer`.
    pub token_type: String,
    /// Access token lifetime in seconds (≤ 3600 today; DOCS example 7199).
    pub expires_in: u64,
    /// Single-use refresh token (only if the app has "Issue refresh tokens" enabled).
    pub refresh_token: Option<SecretString>,
    /// Refresh token lifetime in seconds (default 604800 = 7 days).
    pub refresh_token_expires_in: Option<u64>,
    /// Space-separated granted permissions.
    pub scope: Option<String>,
    /// Extension id of the token owner.
    #[serde(default, deserialize_with = "crate::model::lenient::opt_id")]
    pub owner_id: Option<String>,
    /// Endpoint id, if any.
    pub endpoint_id: Option<String>,
    /// OAuth session id (required in SPEC, absent in the older DOCS example).
    pub session_id: Option<String>,
    /// OpenID Connect id token, if requested.
    pub id_token: Option<SecretString>,
    /// Absolute session lifetime in seconds, if the account sets one.
    pub session_expires_in: Option<i64>,
    /// Absolute session expiry time, if the account sets one.
    pub session_expiration_time: Option<String>,
    /// Session idle timeout in seconds, if the account sets one.
    pub session_idle_timeout: Option<i64>,
}
