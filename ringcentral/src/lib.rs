//! Typed async RingCentral REST client for Hold Hunter: OAuth (JWT bearer grant), call
//! control (call-out, sessions, parties, transfer), webhook subscriptions, directory listings
//! with paging, and rate-limit handling.
//!
//! Every RingCentral fact used here comes from `shared/reference/ringcentral-api.md`; doc
//! comments cite its sources (SPEC = the public OpenAPI spec, DOCS = the developer guide).
//!
//! # What the client does for you
//!
//! - **Auth** ([`Config`]): lazy login with the JWT bearer grant on the first call
//!   (`POST /restapi/oauth/token`, `client_secret_basic`), proactive refresh
//!   [`Config::refresh_margin`] before expiry (refresh tokens are single-use and a refresh
//!   kills the previous access token), a fresh JWT login when a refresh is rejected, one retry
//!   after re-authentication when a request gets HTTP 401, and [`Client::revoke`]. Concurrent
//!   callers share one in-flight login/refresh.
//! - **Rate limits**: `X-Rate-Limit-*` headers are recorded per group
//!   ([`Client::rate_limit_status`]); HTTP 429 is waited out (`Retry-After` seconds, else
//!   [`Config::default_retry_after`]) up to [`Config::max_rate_limit_wait`] in total, then
//!   [`Error::RateLimited`] is returned.
//! - **Errors**: one [`Error`] enum; RingCentral `{errors:[{errorCode,message,parameterName}]}`
//!   and OAuth `{error,error_description}` bodies are parsed into it.
//! - **Secrets** (client secret, JWT, tokens, SIP passwords, webhook verification tokens) are
//!   [`secrecy::SecretString`]s and never appear in `Debug` output, logs or error messages.
//!
//! # Example
//!
//! ```no_run
//! use ringcentral::{CallOutRequest, Client, Config, TransferTarget};
//! use secrecy::SecretString;
//!
//! # async fn run() -> ringcentral::Result<()> {
//! let config = Config::new(
//!     "https://platform.ringcentral.com".parse().expect("valid URL"),
//!     "test-client-id",
//!     SecretString::from("test-client-secret"),
//!     SecretString::from(std::env::var("RINGCENTRAL_JWT").unwrap_or_default()),
//! );
//! let client = Client::new(config)?;
//!
//! // Dial the IRS from an online device of a hold line.
//! let session = client
//!     .call_out(&CallOutRequest::to_phone_number("59474004", "+18008291040"))
//!     .await?;
//! let my_party = &session.parties[0];
//!
//! // ... later, when a live agent is detected: hand off to the team's call queue.
//! client
//!     .transfer_party(&session.id, &my_party.id, &TransferTarget::ExtensionNumber("10086".into()))
//!     .await?;
//!
//! // Hang up another leg; 404 means it is already gone.
//! match client.delete_session("s-other-leg").await {
//!     Ok(()) => {}
//!     Err(err) if err.is_not_found() => {}
//!     Err(err) => return Err(err),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! Webhook payloads decode into [`TelephonySessionNotification`]:
//!
//! ```
//! # fn main() -> Result<(), serde_json::Error> {
//! let json = r#"{"uuid":"1","event":"/restapi/v1.0/account/1/extension/2/telephony/sessions",
//!   "subscriptionId":"sub-1","ownerId":"2","body":{"sequence":2,
//!   "telephonySessionId":"s-1","parties":[{"id":"p-1-1","direction":"Outbound",
//!   "status":{"code":"Setup","rcc":false}}]}}"#;
//! let notification: ringcentral::TelephonySessionNotification = serde_json::from_str(json)?;
//! assert_eq!(notification.body.parties[0].status.code, ringcentral::PartyStatusCode::Setup);
//! # Ok(())
//! # }
//! ```

mod auth;
mod calls;
mod client;
mod config;
pub mod directory;
mod error;
pub mod model;
pub mod rate_limit;
mod subscriptions;
mod transport;

pub use auth::JWT_BEARER_GRANT_TYPE;
pub use client::Client;
pub use config::Config;
pub use directory::{ExtensionQuery, MAX_AUTO_PAGES, PhoneNumberQuery};
pub use error::{Error, Result};
pub use model::directory::{
    CallQueue, CallQueueMember, Contact, CountryRef, Device, DeviceModel, DeviceStatus, Extension,
    ExtensionRef, OutboundProxy, PhoneLine, PhoneLineInfo, PhoneNumber, SipInfo, SiteRef,
};
pub use model::notification::{TelephonySessionEventBody, TelephonySessionNotification};
pub use model::paging::{Navigation, NavigationLink, Page, Paging};
pub use model::session::{
    CallOutFrom, CallOutRequest, CallOutResponse, CallOutTo, CallParty, CallSession, CallStatus,
    Direction, ForwardTarget, MobilePickupData, Origin, OriginType, Park, PartyAttributes,
    PartyInfo, PartyOwner, PartyStatusCode, PeerId, Recording, SipData, TransferTarget,
};
pub use model::subscription::{
    ACCOUNT_TELEPHONY_SESSIONS_FILTER, BlacklistedData, CreateSubscriptionRequest,
    DeliveryModeInfo, DisabledFilter, EXTENSION_TELEPHONY_SESSIONS_FILTER, SubscriptionInfo,
    SubscriptionList, SubscriptionStatus, UpdateSubscriptionRequest, WEBHOOK_TRANSPORT,
    WebhookDeliveryModeRequest,
};
pub use model::token::TokenInfo;
pub use rate_limit::RateLimitInfo;
