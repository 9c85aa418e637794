//! OAuth for a confidential RingCentral app: JWT bearer grant, refresh, re-login, revoke
//! (SPEC `getToken` / `revokeToken`; DOCS `authentication/refresh-tokens.md`).
//!
//! One async mutex guards the token, so concurrent callers that find it missing or due for a
//! refresh wait for a single in-flight login/refresh instead of stampeding the Auth group
//! (5 requests/min). Refresh tokens are single-use and a refresh kills the previous access
//! token, so the token is swapped atomically under that lock.

use std::time::{Duration, Instant};

use reqwest::Method;
use secrecy::SecretString;

use crate::error::{Error, Result};
use crate::model::token::TokenInfo;
use crate::transport::{ApiRequest, Credential, Transport, decode_secret};

/// `grant_type` of the JWT bearer grant (SPEC `JwtTokenRequest`).
pub const JWT_BEARER_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// How long a still-valid access token keeps being used after a refresh failed for a
/// transient reason, before the refresh is tried again.
const REFRESH_RETRY_BACKOFF: Duration = Duration::from_secs(5);

/// An access token plus the generation that issued it (to detect a re-auth done by another
/// caller after a 401).
pub(crate) struct AccessToken {
    pub(crate) token: SecretString,
    pub(crate) generation: u64,
}

#[derive(Default)]
struct Slot {
    token: Option<HeldToken>,
    /// Bumped each time a token is installed or dropped.
    generation: u64,
}

struct HeldToken {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    /// When to refresh proactively (expiry minus the refresh margin).
    refresh_at: Instant,
    access_expires_at: Instant,
    refresh_expires_at: Option<Instant>,
}

/// Holds the current token and performs login / refresh / revoke.
#[derive(Default)]
pub(crate) struct TokenManager {
    slot: tokio::sync::Mutex<Slot>,
}

impl TokenManager {
    /// A usable access token: the current one, or one obtained by a refresh (when due) or a
    /// JWT login (when none is held, or the refresh was rejected).
    pub(crate) async fn access_token(&self, transport: &Transport) -> Result<AccessToken> {
        let mut slot = self.slot.lock().await;
        if let Some(held) = &slot.token {
            if Instant::now() < held.refresh_at {
                return Ok(AccessToken {
                    token: held.access_token.clone(),
                    generation: slot.generation,
                });
            }
        }
        renew(&mut slot, transport).await
    }

    /// Called after the platform answered 401 to a request made with the token of
    /// `rejected_generation`: returns a newer token if another caller already re-authenticated,
    /// otherwise refreshes (or logs in again) and returns the new token.
    pub(crate) async fn after_unauthorized(
        &self,
        transport: &Transport,
        rejected_generation: u64,
    ) -> Result<AccessToken> {
        let mut slot = self.slot.lock().await;
        let now = Instant::now();
        if slot.generation != rejected_generation {
            if let Some(held) = &slot.token {
                if now < held.access_expires_at {
                    return Ok(AccessToken {
                        token: held.access_token.clone(),
                        generation: slot.generation,
                    });
                }
            }
        }
        if let Some(held) = &mut slot.token {
            // The platform says this access token is dead: never fall back to it.
            held.access_expires_at = now;
            held.refresh_at = now;
        }
        renew(&mut slot, transport).await
    }

    /// Logs in now if no token is held (to fail fast at start-up).
    pub(crate) async fn ensure_logged_in(&self, transport: &Transport) -> Result<()> {
        self.access_token(transport).await.map(|_| ())
    }

    /// Revokes the current OAuth session (all its access and refresh tokens) with
    /// `POST /restapi/oauth/revoke` and forgets the token; the next call logs in again.
    /// Without a held token this does nothing.
    pub(crate) async fn revoke(&self, transport: &Transport) -> Result<()> {
        let mut slot = self.slot.lock().await;
        let Some(held) = slot.token.take() else {
            return Ok(());
        };
        slot.generation += 1;
        let request = ApiRequest::new(
            Method::POST,
            transport.url(&["restapi", "oauth", "revoke"])?,
        )
        .form(vec![("token", held.access_token)]);
        let response = transport.send(&request, Credential::ClientBasic).await?;
        if response.is_success() {
            tracing::info!("RingCentral OAuth session revoked");
            Ok(())
        } else {
            Err(Error::from_auth_body(response.status, &response.body))
        }
    }
}

/// Refreshes the held token if possible, else logs in with the JWT; installs the result.
async fn renew(slot: &mut Slot, transport: &Transport) -> Result<AccessToken> {
    let now = Instant::now();
    if let Some(held) = slot.token.take() {
        let refresh_token = held
            .refresh_token
            .clone()
            .filter(|_| held.refresh_expires_at.is_none_or(|at| now < at));
        if let Some(refresh_token) = refresh_token {
            match refresh(transport, refresh_token).await {
                Ok(info) => return Ok(install(slot, info, now, transport)),
                Err(err) if err.is_retryable() => {
                    let access_still_valid = now < held.access_expires_at;
                    let mut held = held;
                    if access_still_valid {
                        tracing::warn!(error = %err, "RingCentral token refresh failed; keeping the current access token for now");
                        held.refresh_at = (now + REFRESH_RETRY_BACKOFF).min(held.access_expires_at);
                        let token = held.access_token.clone();
                        slot.token = Some(held);
                        return Ok(AccessToken {
                            token,
                            generation: slot.generation,
                        });
                    }
                    slot.token = Some(held);
                    return Err(err);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "RingCentral token refresh rejected; logging in again with the JWT");
                }
            }
        }
        slot.generation += 1;
    }
    let info = login(transport).await?;
    Ok(install(slot, info, now, transport))
}

fn install(
    slot: &mut Slot,
    info: TokenInfo,
    requested_at: Instant,
    transport: &Transport,
) -> AccessToken {
    let lifetime = Duration::from_secs(info.expires_in);
    let margin = transport.config().refresh_margin.min(lifetime / 2);
    let held = HeldToken {
        access_token: info.access_token,
        refresh_token: info.refresh_token,
        refresh_at: requested_at + lifetime - margin,
        access_expires_at: requested_at + lifetime,
        refresh_expires_at: info
            .refresh_token_expires_in
            .map(|s| requested_at + Duration::from_secs(s)),
    };
    slot.generation += 1;
    let token = held.access_token.clone();
    slot.token = Some(held);
    AccessToken {
        token,
        generation: slot.generation,
    }
}

/// JWT bearer grant: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`
/// (SPEC `JwtTokenRequest`).
async fn login(transport: &Transport) -> Result<TokenInfo> {
    let info = token_request(
        transport,
        vec![
            ("grant_type", SecretString::from(JWT_BEARER_GRANT_TYPE)),
            ("assertion", transport.config().jwt.clone()),
        ],
    )
    .await?;
    tracing::info!(
        expires_in_s = info.expires_in,
        "RingCentral login (JWT grant) succeeded"
    );
    Ok(info)
}

/// Refresh grant: `grant_type=refresh_token&refresh_token=<rt>` (SPEC `RefreshTokenRequest`).
async fn refresh(transport: &Transport, refresh_token: SecretString) -> Result<TokenInfo> {
    let info = token_request(
        transport,
        vec![
            ("grant_type", SecretString::from("refresh_token")),
            ("refresh_token", refresh_token),
        ],
    )
    .await?;
    tracing::debug!(
        expires_in_s = info.expires_in,
        "RingCentral access token refreshed"
    );
    Ok(info)
}

async fn token_request(
    transport: &Transport,
    fields: Vec<(&'static str, SecretString)>,
) -> Result<TokenInfo> {
    let request =
        ApiRequest::new(Method::POST, transport.url(&["restapi", "oauth", "token"])?).form(fields);
    let response = transport.send(&request, Credential::ClientBasic).await?;
    if !response.is_success() {
        return Err(Error::from_auth_body(response.status, &response.body));
    }
    decode_secret(&response.body, "TokenInfo")
}
