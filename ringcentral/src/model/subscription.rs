//! Webhook subscriptions (SPEC `CreateSubscriptionRequest`, `SubscriptionInfo`,
//! `WebhookDeliveryModeRequest`).

use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize, Serializer};

use crate::model::lenient::{opt_timestamp, string_enum};

/// Extension-level telephony session event filter (DOCS event-filters, since 1.0.36).
pub const EXTENSION_TELEPHONY_SESSIONS_FILTER: &str =
    "/restapi/v1.0/account/~/extension/~/telephony/sessions";
/// Account-level telephony session event filter (DOCS event-filters, since 1.0.36).
pub const ACCOUNT_TELEPHONY_SESSIONS_FILTER: &str = "/restapi/v1.0/account/~/telephony/sessions";
/// The only delivery transport this crate creates: `WebHook`.
pub const WEBHOOK_TRANSPORT: &str = "WebHook";

string_enum! {
    /// Subscription status (SPEC `SubscriptionInfo.status`).
    pub enum SubscriptionStatus {
        /// Any other value.
        @fallback Unknown,
        /// Delivering.
        Active = "Active",
        /// Suspended after delivery failures; delete and re-create it.
        Blacklisted = "Blacklisted",
    }
}

/// `deliveryMode` as returned (the verification token is never echoed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryModeInfo {
    /// `WebHook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_type: Option<String>,
    /// Webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Always `false` for webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<bool>,
}

/// `blacklistedData` of a blacklisted subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlacklistedData {
    /// When it was blacklisted.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub blacklisted_at: Option<jiff::Timestamp>,
    /// Why, e.g. "I/O operation is failed. Details: [Read timed out]".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// An event filter the platform disabled (`disabledFilters[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DisabledFilter {
    /// The filter.
    #[serde(default)]
    pub filter: String,
    /// Reason code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A subscription (SPEC `SubscriptionInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionInfo {
    /// Subscription id (UUID).
    pub id: String,
    /// Canonical URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Event filters, with `~` resolved to numeric ids.
    #[serde(default)]
    pub event_filters: Vec<String>,
    /// Filters the platform disabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disabled_filters: Vec<DisabledFilter>,
    /// Expiry time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub expiration_time: Option<jiff::Timestamp>,
    /// Remaining lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
    /// `Active` or `Blacklisted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatus>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time: Option<jiff::Timestamp>,
    /// Delivery mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<DeliveryModeInfo>,
    /// Present when blacklisted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blacklisted_data: Option<BlacklistedData>,
}

impl SubscriptionInfo {
    /// True when `status` is `Blacklisted`.
    pub fn is_blacklisted(&self) -> bool {
        self.status == Some(SubscriptionStatus::Blacklisted)
    }
}

/// `GET /restapi/v1.0/subscription` body: `{uri, records[]}` (≤ 30 records, not paged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionList {
    /// URI.
    pub uri: Option<String>,
    /// Subscriptions.
    #[serde(default)]
    pub records: Vec<SubscriptionInfo>,
}

/// `deliveryMode` of a create request (SPEC `WebhookDeliveryModeRequest`). The verification
/// token is write-only; RingCentral sends it back as the `Verification-Token` header of every
/// delivery. `Debug` redacts it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDeliveryModeRequest {
    /// `WebHook`.
    pub transport_type: String,
    /// Webhook URL (must answer the `Validation-Token` handshake within 3000 ms).
    pub address: String,
    /// Token echoed in the `Verification-Token` header of each delivery.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_opt_secret"
    )]
    pub verification_token: Option<SecretString>,
}

/// Body of `POST /restapi/v1.0/subscription` (SPEC `CreateSubscriptionRequest`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSubscriptionRequest {
    /// Event filters (at least one).
    pub event_filters: Vec<String>,
    /// Delivery mode.
    pub delivery_mode: WebhookDeliveryModeRequest,
    /// Lifetime in seconds (max 315360000 for webhooks); the server default is unverified, so
    /// send it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u32>,
}

impl CreateSubscriptionRequest {
    /// A `WebHook` subscription of `event_filters` delivered to `address`, lasting
    /// `expires_in_s` seconds.
    pub fn webhook(
        event_filters: Vec<String>,
        address: impl Into<String>,
        verification_token: Option<SecretString>,
        expires_in_s: u32,
    ) -> Self {
        Self {
            event_filters,
            delivery_mode: WebhookDeliveryModeRequest {
                transport_type: WEBHOOK_TRANSPORT.to_owned(),
                address: address.into(),
                verification_token,
            },
            expires_in: Some(expires_in_s),
        }
    }
}

/// Body of `PUT /restapi/v1.0/subscription/{id}` (SPEC `UpdateSubscriptionRequest`). An empty
/// body renews with the default expiration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSubscriptionRequest {
    /// New event filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_filters: Option<Vec<String>>,
    /// New lifetime in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u32>,
}

fn serialize_opt_secret<S: Serializer>(
    value: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(secret) => serializer.serialize_str(secret.expose_secret()),
        None => serializer.serialize_none(),
    }
}
