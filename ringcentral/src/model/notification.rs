//! Webhook notification envelope for telephony session events (SPEC
//! `AccountTelephonySessionsEvent` / `ExtensionTelephonySessionsEvent`).
//!
//! Deliveries are at-most-once, may arrive out of order (order by `body.sequence`, shared by
//! all parties of a session) and normally carry one party each (DOCS
//! telephony-session-notifications.md).

use serde::{Deserialize, Serialize};

use crate::model::lenient::{opt_id, opt_timestamp};
use crate::model::session::{CallParty, Origin};

/// The JSON object RingCentral POSTs to the webhook address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelephonySessionNotification {
    /// Notification id (numeric-looking string).
    pub uuid: String,
    /// Event filter URI with ids resolved, e.g.
    /// `/restapi/v1.0/account/170848004/extension/170848004/telephony/sessions`.
    pub event: String,
    /// Send time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<jiff::Timestamp>,
    /// Subscription id (UUID).
    pub subscription_id: String,
    /// Extension id that owns the subscription.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub owner_id: Option<String>,
    /// Event body.
    pub body: TelephonySessionEventBody,
}

/// `body` of a telephony session notification (SPEC `TelephonySessionsEventBody`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelephonySessionEventBody {
    /// Order number of this event within the session (starts at 2 in every real capture).
    pub sequence: i64,
    /// Legacy numeric session id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_id: Option<String>,
    /// Telephony session id (`s-…`), the key used by call control.
    pub telephony_session_id: String,
    /// Server id (e.g. `10.13.22.243.TAM`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_id: Option<String>,
    /// Event time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_time: Option<jiff::Timestamp>,
    /// Session origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Parties (normally exactly one per notification).
    #[serde(default)]
    pub parties: Vec<CallParty>,
    /// Account id (some DOCS examples only).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<String>,
    /// Extension id (some DOCS examples only).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<String>,
}
