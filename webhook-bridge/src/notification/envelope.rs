//! Serde mirror of the JSON RingCentral POSTs to a webhook (SPEC
//! `AccountTelephonySessionsEvent` / `ExtensionTelephonySessionsEvent`, reference §4).
//!
//! Every field is optional and lenient ([`super::lenient`]); unknown fields are ignored.
//! Which fields are required is decided in [`super::convert`].

use serde::Deserialize;

use super::lenient::{opt_bool, opt_i64, opt_object, opt_objects, opt_text};

/// The notification envelope `{uuid, event, timestamp, subscriptionId, ownerId, body}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationEnvelope {
    /// Notification id, numeric-looking string, e.g. `"2425066947943057062"`.
    #[serde(default, deserialize_with = "opt_text")]
    pub uuid: Option<String>,
    /// The event filter URI with ids resolved, e.g.
    /// `/restapi/v1.0/account/170848004/extension/170848004/telephony/sessions`.
    #[serde(default, deserialize_with = "opt_text")]
    pub event: Option<String>,
    /// Send time, ISO-8601 with ms and `Z`.
    #[serde(default, deserialize_with = "opt_text")]
    pub timestamp: Option<String>,
    /// Subscription id (UUID).
    #[serde(default, deserialize_with = "opt_text")]
    pub subscription_id: Option<String>,
    /// Extension id that owns the subscription.
    #[serde(default, deserialize_with = "opt_text")]
    pub owner_id: Option<String>,
    /// The event body; for telephony filters SPEC `TelephonySessionsEventBody`. Other events
    /// (e.g. subscription renewal reminders) have another shape, which decodes to a body with
    /// no telephony fields.
    #[serde(default, deserialize_with = "opt_object")]
    pub body: Option<TelephonySessionBody>,
}

/// `body` of a telephony session notification (SPEC `TelephonySessionsEventBody`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TelephonySessionBody {
    /// Chronology of the session's notifications, shared by all its parties; starts at 2.
    #[serde(default, deserialize_with = "opt_i64")]
    pub sequence: Option<i64>,
    /// Legacy numeric session id.
    #[serde(default, deserialize_with = "opt_text")]
    pub session_id: Option<String>,
    /// Telephony session id (`s-…`), the key of call control.
    #[serde(default, deserialize_with = "opt_text")]
    pub telephony_session_id: Option<String>,
    /// e.g. `"10.13.22.243.TAM"`.
    #[serde(default, deserialize_with = "opt_text")]
    pub server_id: Option<String>,
    /// ISO-8601 event time.
    #[serde(default, deserialize_with = "opt_text")]
    pub event_time: Option<String>,
    /// `origin.type`, e.g. `Call`, `CallOut`.
    #[serde(default, deserialize_with = "opt_object")]
    pub origin: Option<Origin>,
    /// Parties; normally exactly one per notification. `None` items are non-object entries.
    #[serde(default, deserialize_with = "opt_objects")]
    pub parties: Option<Vec<Option<PartyInfo>>>,
}

/// `body.origin`.
#[derive(Debug, Default, Deserialize)]
pub struct Origin {
    /// `Call|RingOut|RingMe|Conference|GreetingsRecording|VerificationCall|Zoom|CallOut`.
    #[serde(default, rename = "type", deserialize_with = "opt_text")]
    pub origin_type: Option<String>,
}

/// One item of `body.parties` (SPEC `TelephonySessionsEventPartyInfo`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyInfo {
    /// Party id, e.g. `p-bb843f9bc3bd4366a83f9e953f2c9c58-1`.
    #[serde(default, deserialize_with = "opt_text")]
    pub id: Option<String>,
    /// RingCentral account id of the party.
    #[serde(default, deserialize_with = "opt_text")]
    pub account_id: Option<String>,
    /// Absent for parties with no RingCentral owner (the PSTN leg).
    #[serde(default, deserialize_with = "opt_text")]
    pub extension_id: Option<String>,
    /// `Inbound` or `Outbound`.
    #[serde(default, deserialize_with = "opt_text")]
    pub direction: Option<String>,
    /// Party status (`code` is required by the engine).
    #[serde(default, deserialize_with = "opt_object")]
    pub status: Option<PartyStatus>,
    /// Calling side.
    #[serde(default, deserialize_with = "opt_object")]
    pub from: Option<PartyEndpoint>,
    /// Called side.
    #[serde(default, deserialize_with = "opt_object")]
    pub to: Option<PartyEndpoint>,
    /// Party is muted.
    #[serde(default, deserialize_with = "opt_bool")]
    pub muted: Option<bool>,
    /// Party is stand-alone.
    #[serde(default, deserialize_with = "opt_bool")]
    pub stand_alone: Option<bool>,
    /// The call was missed.
    #[serde(default, deserialize_with = "opt_bool")]
    pub missed_call: Option<bool>,
    /// The call came through a call queue.
    #[serde(default, deserialize_with = "opt_bool")]
    pub queue_call: Option<bool>,
}

/// `parties[].status` (SPEC `CallStatusInfo`).
#[derive(Debug, Default, Deserialize)]
pub struct PartyStatus {
    /// Setup, Proceeding, Answered, Disconnected, Gone, Parked, Hold, VoiceMail, ...
    #[serde(default, deserialize_with = "opt_text")]
    pub code: Option<String>,
    /// e.g. BlindTransfer, NoAnswer; absent for a plain hang-up.
    #[serde(default, deserialize_with = "opt_text")]
    pub reason: Option<String>,
    /// Free-text status description.
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
}

/// `parties[].from` / `parties[].to` (SPEC `PartyInfo`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyEndpoint {
    /// E.164 number, or a short extension number for RC-to-RC calls.
    #[serde(default, deserialize_with = "opt_text")]
    pub phone_number: Option<String>,
    /// Display only.
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    /// Extension id of the RingCentral user on this side.
    #[serde(default, deserialize_with = "opt_text")]
    pub extension_id: Option<String>,
    /// Device id of the RingCentral device on this side.
    #[serde(default, deserialize_with = "opt_text")]
    pub device_id: Option<String>,
}
