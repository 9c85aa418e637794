//! Connection to the Hold Hunter server: a lazily connected tonic channel plus the
//! `authorization: Bearer <token>` interceptor. The token comes from `HH_TOKEN` or
//! `--token-file`; it is kept in a [`SecretString`] and only ever written into the header
//! (marked sensitive), never into messages or logs.

use std::path::Path;
use std::time::Duration;

use holdhunter_proto::v1::destination_service_client::DestinationServiceClient;
use holdhunter_proto::v1::job_service_client::JobServiceClient;
use holdhunter_proto::v1::line_service_client::LineServiceClient;
use holdhunter_proto::v1::queue_service_client::QueueServiceClient;
use holdhunter_proto::v1::ring_central_service_client::RingCentralServiceClient;
use secrecy::{ExposeSecret, SecretString};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use crate::exit::CliError;

/// Environment variable holding the API token.
pub const TOKEN_ENV: &str = "HH_TOKEN";

/// Adds `authorization: Bearer <token>` to every request (nothing when no token is set).
#[derive(Clone)]
pub struct BearerAuth {
    header: Option<MetadataValue<Ascii>>,
}

impl std::fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BearerAuth")
            .field("token", &self.header.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Interceptor for BearerAuth {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(header) = &self.header {
            request
                .metadata_mut()
                .insert("authorization", header.clone());
        }
        Ok(request)
    }
}

/// Channel with authentication, cheap to clone.
pub type AuthChannel = InterceptedService<Channel, BearerAuth>;

/// A connection to one server.
#[derive(Clone, Debug)]
pub struct Connection {
    url: String,
    channel: Channel,
    auth: BearerAuth,
}

impl Connection {
    /// Builds a lazily connecting channel to `url` (`http://host:port`). The first RPC
    /// connects; connection failures surface as [`CliError::Unreachable`].
    ///
    /// Errors: `url` is not a valid http(s) URI, or `token` is not valid header text.
    pub fn new(url: &str, token: Option<SecretString>) -> Result<Self, CliError> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(CliError::Usage(format!(
                "--server `{url}` must start with http:// (e.g. http://127.0.0.1:50051)"
            )));
        }
        if url.starts_with("https://") {
            return Err(CliError::Usage(format!(
                "--server `{url}`: this build of hh speaks plaintext gRPC only; put TLS in front \
                 with a local proxy or use an http:// address"
            )));
        }
        let endpoint = Endpoint::from_shared(url.to_string())
            .map_err(|e| CliError::Usage(format!("--server `{url}` is not a valid URL: {e}")))?
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .http2_keep_alive_interval(Duration::from_secs(20))
            .keep_alive_timeout(Duration::from_secs(10))
            .keep_alive_while_idle(true);
        let header = match token {
            None => None,
            Some(token) => {
                let text = token.expose_secret().trim();
                if text.is_empty() {
                    None
                } else {
                    let mut value: MetadataValue<Ascii> =
                        format!("Bearer {text}").parse().map_err(|_| {
                            CliError::Usage(
                                "the API token contains characters that cannot be sent in a \
                                 header (check HH_TOKEN / --token-file)"
                                    .into(),
                            )
                        })?;
                    value.set_sensitive(true);
                    Some(value)
                }
            }
        };
        Ok(Self {
            url: url.to_string(),
            channel: endpoint.connect_lazy(),
            auth: BearerAuth { header },
        })
    }

    /// The server URL (for messages).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Maps a status from this server to a [`CliError`].
    pub fn error(&self, status: tonic::Status) -> CliError {
        CliError::from_status(&status, &self.url)
    }

    fn intercepted(&self) -> AuthChannel {
        InterceptedService::new(self.channel.clone(), self.auth.clone())
    }

    /// `JobService` client.
    pub fn jobs(&self) -> JobServiceClient<AuthChannel> {
        JobServiceClient::new(self.intercepted())
    }

    /// `LineService` client.
    pub fn lines(&self) -> LineServiceClient<AuthChannel> {
        LineServiceClient::new(self.intercepted())
    }

    /// `QueueService` client.
    pub fn queues(&self) -> QueueServiceClient<AuthChannel> {
        QueueServiceClient::new(self.intercepted())
    }

    /// `DestinationService` client.
    pub fn destinations(&self) -> DestinationServiceClient<AuthChannel> {
        DestinationServiceClient::new(self.intercepted())
    }

    /// `RingCentralService` client.
    pub fn ringcentral(&self) -> RingCentralServiceClient<AuthChannel> {
        RingCentralServiceClient::new(self.intercepted())
    }
}

/// Reads the API token: the first non-empty line of `token_file` if given, else `HH_TOKEN`.
/// `None` when neither is set (the server then answers UNAUTHENTICATED unless auth is off).
///
/// Errors: the token file cannot be read (the message names the path, never the content).
pub fn load_token(token_file: Option<&Path>) -> Result<Option<SecretString>, CliError> {
    if let Some(path) = token_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!("cannot read --token-file {}: {e}", path.display()))
        })?;
        let token = text.lines().map(str::trim).find(|l| !l.is_empty());
        return match token {
            Some(t) => Ok(Some(SecretString::from(t.to_string()))),
            None => Err(CliError::Usage(format!(
                "--token-file {} is empty; put the API token on its first line",
                path.display()
            ))),
        };
    }
    Ok(std::env::var(TOKEN_ENV)
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(SecretString::from))
}
