//! The [`Client`] handle: authenticated requests with one retry after HTTP 401.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::TokenManager;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::rate_limit::RateLimitInfo;
use crate::transport::{ApiRequest, Credential, RawResponse, Transport, decode};

/// Typed async RingCentral REST client. Cheap to clone (an `Arc` inside); clones share the
/// token, the HTTP connection pool and the rate-limit table.
///
/// Authentication is lazy: the first call logs in with the JWT bearer grant. The token is
/// refreshed [`Config::refresh_margin`] before it expires; when a refresh is rejected the
/// client logs in again with the JWT; a request answered with HTTP 401 is retried once after
/// re-authentication.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    tokens: TokenManager,
}

impl Client {
    /// A client for `config`. Does no I/O (login happens on the first call).
    ///
    /// Errors: [`Error::Config`] when `server_url` cannot be a base URL; [`Error::Transport`]
    /// when the HTTP client cannot be built (TLS backend).
    pub fn new(config: Config) -> Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner {
                transport: Transport::new(config)?,
                tokens: TokenManager::default(),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.inner.transport.config()
    }

    /// Logs in now (JWT grant) unless a token is already held, so start-up fails fast on bad
    /// credentials. Errors: [`Error::Auth`], [`Error::RateLimited`], transport errors.
    pub async fn login(&self) -> Result<()> {
        self.inner
            .tokens
            .ensure_logged_in(&self.inner.transport)
            .await
    }

    /// Revokes the OAuth session (all of its access and refresh tokens) with
    /// `POST /restapi/oauth/revoke` (SPEC `revokeToken`, 200 with no body) and forgets the
    /// token; a later call logs in again. Does nothing when not logged in. DOCS errors.md
    /// advises ignoring a failed revoke rather than retrying it.
    pub async fn revoke(&self) -> Result<()> {
        self.inner.tokens.revoke(&self.inner.transport).await
    }

    /// The last `X-Rate-Limit-*` headers seen per group (e.g. `light`, `heavy`), ordered by
    /// group name. Empty before the first response carrying them.
    pub fn rate_limit_status(&self) -> Vec<RateLimitInfo> {
        self.inner.transport.rate_limits().snapshot()
    }

    /// `server_url` + `/restapi/v1.0/account/{account_id}/` + `rest` (each a path segment).
    pub(crate) fn account_url(&self, rest: &[&str]) -> Result<Url> {
        let account_id = self.config().account_id.as_str();
        let mut segments = vec!["restapi", "v1.0", "account", account_id];
        segments.extend_from_slice(rest);
        self.inner.transport.url(&segments)
    }

    /// `server_url` + `/restapi/v1.0/` + `rest`.
    pub(crate) fn api_url(&self, rest: &[&str]) -> Result<Url> {
        let mut segments = vec!["restapi", "v1.0"];
        segments.extend_from_slice(rest);
        self.inner.transport.url(&segments)
    }

    /// Sends an authenticated request; on HTTP 401 re-authenticates and retries once. Returns
    /// the response when its status is 2xx, else the parsed [`Error::Api`].
    pub(crate) async fn execute(&self, request: &ApiRequest) -> Result<RawResponse> {
        let transport = &self.inner.transport;
        let token = self.inner.tokens.access_token(transport).await?;
        let mut response = transport
            .send(request, Credential::Bearer(&token.token))
            .await?;
        if response.status == 401 {
            tracing::warn!(
                path = request.url.path(),
                "RingCentral answered 401; re-authenticating and retrying once"
            );
            let token = self
                .inner
                .tokens
                .after_unauthorized(transport, token.generation)
                .await?;
            response = transport
                .send(request, Credential::Bearer(&token.token))
                .await?;
        }
        if response.is_success() {
            Ok(response)
        } else {
            Err(Error::from_api_body(response.status, &response.body))
        }
    }

    /// [`Client::execute`] and decode the JSON body as `T`.
    pub(crate) async fn execute_json<T: DeserializeOwned>(
        &self,
        request: &ApiRequest,
        what: &'static str,
    ) -> Result<T> {
        let response = self.execute(request).await?;
        decode(&response.body, what)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", self.config())
            .finish_non_exhaustive()
    }
}
