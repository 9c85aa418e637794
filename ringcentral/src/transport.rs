//! One HTTP exchange with the platform: URL building, credentials, rate-limit headers and
//! waiting out HTTP 429 (DOCS rate-limits.md). Knows nothing about token lifetimes.

use std::time::Duration;

use base64::Engine as _;
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret as _, SecretString};
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::rate_limit::{self, RateLimitTracker};

/// Request body.
pub(crate) enum Body {
    /// No body.
    Empty,
    /// `application/json` body.
    Json(serde_json::Value),
    /// `application/x-www-form-urlencoded` body whose values may be secrets (OAuth grants).
    Form(Vec<(&'static str, SecretString)>),
}

/// A request that can be sent (and re-sent after 401 / 429) any number of times.
pub(crate) struct ApiRequest {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Body,
}

impl ApiRequest {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            body: Body::Empty,
        }
    }

    /// Adds a JSON body serialized from `value`.
    pub(crate) fn json<T: serde::Serialize>(mut self, value: &T) -> Result<Self> {
        let json = serde_json::to_value(value).map_err(|e| Error::Decode {
            what: "request body",
            message: e.to_string(),
        })?;
        self.body = Body::Json(json);
        Ok(self)
    }

    pub(crate) fn form(mut self, fields: Vec<(&'static str, SecretString)>) -> Self {
        self.body = Body::Form(fields);
        self
    }
}

/// How a request authenticates.
pub(crate) enum Credential<'a> {
    /// `Authorization: Basic base64(clientId:clientSecret)` (token and revoke endpoints).
    ClientBasic,
    /// `Authorization: Bearer <access token>`.
    Bearer(&'a SecretString),
}

/// A fully read response.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// HTTP transport shared by all clones of a [`crate::Client`].
pub(crate) struct Transport {
    http: reqwest::Client,
    config: Config,
    rate_limits: RateLimitTracker,
}

impl Transport {
    pub(crate) fn new(config: Config) -> Result<Self> {
        if config.server_url.cannot_be_a_base() {
            return Err(Error::Config("server_url cannot be a base URL".to_owned()));
        }
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(Error::from_reqwest)?;
        Ok(Self {
            http,
            config,
            rate_limits: RateLimitTracker::default(),
        })
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn rate_limits(&self) -> &RateLimitTracker {
        &self.rate_limits
    }

    /// `server_url` joined with the given path segments (each percent-encoded as a segment).
    pub(crate) fn url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.config.server_url.clone();
        url.set_query(None);
        url.set_fragment(None);
        url.path_segments_mut()
            .map_err(|()| Error::Config("server_url cannot be a base URL".to_owned()))?
            .pop_if_empty()
            .extend(segments);
        Ok(url)
    }

    /// Sends `request`, waiting out HTTP 429 responses (`Retry-After` seconds, or
    /// [`Config::default_retry_after`] when absent) until the total wait would exceed
    /// [`Config::max_rate_limit_wait`]; then returns [`Error::RateLimited`]. Returns every other
    /// response as is, whatever its status.
    pub(crate) async fn send(
        &self,
        request: &ApiRequest,
        credential: Credential<'_>,
    ) -> Result<RawResponse> {
        let mut waited = Duration::ZERO;
        loop {
            let response = self.send_once(request, &credential).await?;
            if response.status != 429 {
                return Ok(response);
            }
            let group = rate_limit::group_of(&response.headers);
            let retry_after = rate_limit::retry_after(&response.headers)
                .unwrap_or(self.config.default_retry_after);
            if waited + retry_after > self.config.max_rate_limit_wait {
                tracing::warn!(
                    group = group.as_deref().unwrap_or("unknown"),
                    retry_after_ms = retry_after.as_millis() as u64,
                    waited_ms = waited.as_millis() as u64,
                    path = request.url.path(),
                    "RingCentral throttled the request (HTTP 429); giving up"
                );
                return Err(Error::RateLimited { group, retry_after });
            }
            tracing::warn!(
                group = group.as_deref().unwrap_or("unknown"),
                retry_after_ms = retry_after.as_millis() as u64,
                path = request.url.path(),
                "RingCentral throttled the request (HTTP 429); waiting before retry"
            );
            tokio::time::sleep(retry_after).await;
            waited += retry_after;
        }
    }

    async fn send_once(
        &self,
        request: &ApiRequest,
        credential: &Credential<'_>,
    ) -> Result<RawResponse> {
        let mut builder = self
            .http
            .request(request.method.clone(), request.url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(AUTHORIZATION, self.authorization(credential)?);
        builder = match &request.body {
            Body::Empty => builder,
            Body::Json(value) => builder.json(value),
            Body::Form(fields) => {
                let mut form = url::form_urlencoded::Serializer::new(String::new());
                for (name, value) in fields {
                    form.append_pair(name, value.expose_secret());
                }
                builder
                    .header(
                        CONTENT_TYPE,
                        HeaderValue::from_static("application/x-www-form-urlencoded"),
                    )
                    .body(form.finish())
            }
        };
        let response = builder.send().await.map_err(Error::from_reqwest)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        self.rate_limits.record(&headers);
        let body = response
            .bytes()
            .await
            .map_err(Error::from_reqwest)?
            .to_vec();
        tracing::debug!(
            method = %request.method,
            path = request.url.path(),
            status,
            "RingCentral request"
        );
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    fn authorization(&self, credential: &Credential<'_>) -> Result<HeaderValue> {
        let value = match credential {
            Credential::ClientBasic => {
                let pair = format!(
                    "{}:{}",
                    self.config.client_id,
                    self.config.client_secret.expose_secret()
                );
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
            Credential::Bearer(token) => format!("Bearer {}", token.expose_secret()),
        };
        let mut header = HeaderValue::from_str(&value).map_err(|_| Error::Auth {
            status: None,
            error_code: None,
            message: "credential contains characters not allowed in an HTTP header".to_owned(),
        })?;
        header.set_sensitive(true);
        Ok(header)
    }
}

/// Decodes a JSON body into `T`, with the decoder's message in the error.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        what,
        message: e.to_string(),
    })
}

/// Decodes a JSON body that holds secrets (tokens, SIP passwords): the error keeps only the
/// line and column, since decoder messages may quote values.
pub(crate) fn decode_secret<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        what,
        message: format!(
            "invalid {:?} data at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        ),
    })
}
