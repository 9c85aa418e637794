//! Telephony sessions and parties (SPEC `CallSessionObject`, `CallParty`, `CallStatusInfo`)
//! and the call-control request bodies (SPEC `MakeCallOutRequest`, `TransferTarget`).

use serde::{Deserialize, Serialize};

use crate::model::lenient::{id, opt_id, opt_timestamp, string_enum};

string_enum! {
    /// `origin.type` of a telephony session (SPEC `CallSessionObject.origin.type`). `CallOut`
    /// exists since API 1.0.41; older call-outs report `Call`.
    pub enum OriginType {
        /// Any other value.
        @fallback Unknown,
        /// Regular call.
        Call = "Call",
        /// RingOut call.
        RingOut = "RingOut",
        /// RingMe call.
        RingMe = "RingMe",
        /// Conference.
        Conference = "Conference",
        /// Greetings recording.
        GreetingsRecording = "GreetingsRecording",
        /// Verification call.
        VerificationCall = "VerificationCall",
        /// Zoom call.
        Zoom = "Zoom",
        /// Call started with `POST …/telephony/call-out`.
        CallOut = "CallOut",
    }
}

string_enum! {
    /// Direction of a party (SPEC `CallParty.direction`). In a call to PSTN the caller's party
    /// is `Outbound` and the callee's party is `Inbound`.
    pub enum Direction {
        /// Any other value; empty when the field was absent.
        @fallback Other,
        /// Towards the party's owner.
        Inbound = "Inbound",
        /// From the party's owner.
        Outbound = "Outbound",
    }
}

impl Default for Direction {
    fn default() -> Self {
        Direction::Other(String::new())
    }
}

string_enum! {
    /// Party status code (SPEC `CallStatusInfo.code`). `Voicemail` (DOCS, CCJS spelling) is
    /// accepted as [`PartyStatusCode::VoiceMail`] and `VMScreening` (DOCS) as
    /// [`PartyStatusCode::VoiceMailScreening`].
    pub enum PartyStatusCode {
        /// Any other value; empty when the field was absent.
        @fallback Unknown,
        /// Outbound: request received; inbound: call reached an RC destination.
        Setup = "Setup",
        /// Ringing / being forwarded to an endpoint.
        Proceeding = "Proceeding",
        /// Answered (also reported after unhold).
        Answered = "Answered",
        /// Finished or left the session; `status.reason` says why.
        Disconnected = "Disconnected",
        /// Transferred out with a cross-call (attended transfer, pickup, ...); see `peerId`.
        Gone = "Gone",
        /// Parked.
        Parked = "Parked",
        /// The party that put the call on hold.
        Hold = "Hold",
        /// Forwarded to voicemail.
        VoiceMail = "VoiceMail" | "Voicemail",
        /// Fax receiving started.
        FaxReceive = "FaxReceive",
        /// In the SPEC enum only, undocumented.
        Tds = "Tds",
        /// Going to voicemail while the callee listens.
        VoiceMailScreening = "VoiceMailScreening" | "VMScreening",
    }
}

impl Default for PartyStatusCode {
    fn default() -> Self {
        PartyStatusCode::Unknown(String::new())
    }
}

impl PartyStatusCode {
    /// True for codes after which the party takes no further part in the session
    /// (`Disconnected`, `Gone`).
    pub fn is_terminal(&self) -> bool {
        matches!(self, PartyStatusCode::Disconnected | PartyStatusCode::Gone)
    }
}

/// `origin` of a telephony session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// `origin.type`.
    #[serde(rename = "type")]
    pub type_: OriginType,
}

impl Origin {
    /// An origin of the given type.
    pub fn new(type_: OriginType) -> Self {
        Self { type_ }
    }
}

/// `status.peerId`: the linked session/party of a `Gone` party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerId {
    /// Legacy session id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub session_id: Option<String>,
    /// Telephony session id of the peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telephony_session_id: Option<String>,
    /// Party id of the peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub party_id: Option<String>,
}

/// `status.mobilePickupData` (DOCS sample `cust-to-oper-event.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MobilePickupData {
    /// Mailbox ids.
    #[serde(default)]
    pub cc_mailboxes: Vec<String>,
    /// SIP target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Session id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Service level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srv_lvl: Option<String>,
    /// Service level extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub srv_lvl_ext: Option<String>,
}

/// Party status (SPEC `CallStatusInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallStatus {
    /// Status code.
    #[serde(default)]
    pub code: PartyStatusCode,
    /// Reason (SPEC enum: `BlindTransfer`, `AttendedTransfer`, `NoAnswer`, `TargetBusy`,
    /// `InvalidNumber`, `Voicemail`, ...); absent on a plain hang-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Free-text description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Linked session/party for `Gone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_id: Option<PeerId>,
    /// Whether the status came from RingCentral call control (observed always `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rcc: Option<bool>,
    /// Park orbit (`*8xx`) for `Parked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park_data: Option<String>,
    /// Mobile pickup data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_pickup_data: Option<MobilePickupData>,
}

impl CallStatus {
    /// A status with only a code.
    pub fn new(code: PartyStatusCode) -> Self {
        Self {
            code,
            ..Self::default()
        }
    }
}

/// `from` / `to` of a party (SPEC `PartyInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyInfo {
    /// Phone number (E.164) or short extension number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Extension id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<String>,
    /// Device id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_id: Option<String>,
}

/// `owner` of a party (SPEC, deprecated but still sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyOwner {
    /// Account id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<String>,
    /// Extension id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<String>,
    /// Brand id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub brand_id: Option<String>,
}

/// `park` of a party (observed as `{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Park {
    /// Park id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
}

/// One recording of a party (SPEC `CallRecording`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recording {
    /// Recording id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Whether recording is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `attributes` of a party (SPEC `CallParty.attributes`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyAttributes {
    /// Call came through a call queue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_call: Option<bool>,
    /// Emergency callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emergency_callback: Option<bool>,
}

/// `sipData` of a party (notifications with `sipData=true`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SipData {
    /// SIP To tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_tag: Option<String>,
    /// SIP From tag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_tag: Option<String>,
    /// SIP Call-ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
}

/// One leg/participant of a telephony session (SPEC `CallParty`; notifications use the same
/// shape, SPEC `TelephonySessionsEventPartyInfo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallParty {
    /// Party id, e.g. `p-<session>-1`.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Account id (notifications).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_id: Option<String>,
    /// Owning extension id; absent for a party with no RC owner (e.g. the PSTN leg).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub extension_id: Option<String>,
    /// Direction; [`Direction::Other`] with empty text when absent.
    #[serde(default)]
    pub direction: Direction,
    /// Status; code [`PartyStatusCode::Unknown`] with empty text when absent.
    #[serde(default)]
    pub status: CallStatus,
    /// Caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<PartyInfo>,
    /// Callee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<PartyInfo>,
    /// Owner (deprecated in SPEC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<PartyOwner>,
    /// Muted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<bool>,
    /// Stand-alone party.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stand_alone: Option<bool>,
    /// Park info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub park: Option<Park>,
    /// Recordings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recordings: Option<Vec<Recording>>,
    /// Call came through a call queue (notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_call: Option<bool>,
    /// Missed call (notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missed_call: Option<bool>,
    /// Party attributes (session API).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<PartyAttributes>,
    /// Conference role (`Host`, `Participant`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conference_role: Option<String>,
    /// RingOut role (`Initiator`, `Target`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_out_role: Option<String>,
    /// RingMe role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ring_me_role: Option<String>,
    /// SIP data (only with `sipData=true` filters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sip_data: Option<SipData>,
}

/// A telephony session (SPEC `CallSessionObject`): `GET …/telephony/sessions/{id}` body, and
/// the `session` of the call-out response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallSession {
    /// Telephony session id (`s-…`).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Origin of the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Creation time.
    #[serde(
        default,
        deserialize_with = "opt_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub creation_time: Option<jiff::Timestamp>,
    /// Voice call token (conference only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice_call_token: Option<String>,
    /// Parties of the session.
    #[serde(default)]
    pub parties: Vec<CallParty>,
}

impl CallSession {
    /// The party with the given id.
    pub fn party(&self, party_id: &str) -> Option<&CallParty> {
        self.parties.iter().find(|p| p.id == party_id)
    }
}

/// Call-out 201 body: `{ "session": CallSessionObject }` (SPEC `CallSession`).
#[derive(Debug, Clone, Deserialize)]
pub struct CallOutResponse {
    /// The new session.
    pub session: CallSession,
}

/// `from` of a call-out (SPEC `MakeCallOutCallerInfoRequestFrom`: only `deviceId`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutFrom {
    /// Device id of the caller's device (leg 1; it is rung with auto-answer first).
    pub device_id: String,
}

/// `to` of a call-out (SPEC `MakeCallOutCallerInfoRequestTo`): set exactly one field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutTo {
    /// E.164 number, short code or special number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Extension number in the same account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
}

/// Body of `POST /restapi/v1.0/account/{accountId}/telephony/call-out` (SPEC
/// `MakeCallOutRequest`). There is no caller-id field in Call-Out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallOutRequest {
    /// Caller device.
    pub from: CallOutFrom,
    /// Destination.
    pub to: CallOutTo,
    /// Dialing-plan country id (default: the extension's home country).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<i64>,
}

impl CallOutRequest {
    /// Call from device `device_id` to an E.164 `phone_number`.
    pub fn to_phone_number(device_id: impl Into<String>, phone_number: impl Into<String>) -> Self {
        Self {
            from: CallOutFrom {
                device_id: device_id.into(),
            },
            to: CallOutTo {
                phone_number: Some(phone_number.into()),
                extension_number: None,
            },
            country_id: None,
        }
    }

    /// Call from device `device_id` to an extension number of the same account.
    pub fn to_extension_number(
        device_id: impl Into<String>,
        extension_number: impl Into<String>,
    ) -> Self {
        Self {
            from: CallOutFrom {
                device_id: device_id.into(),
            },
            to: CallOutTo {
                phone_number: None,
                extension_number: Some(extension_number.into()),
            },
            country_id: None,
        }
    }
}

/// Body of `POST …/parties/{partyId}/transfer` (SPEC `TransferTarget`): exactly one field,
/// e.g. `{"extensionNumber":"10086"}`. To reach a call queue use its extension number or id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransferTarget {
    /// `phoneNumber`: E.164 number.
    PhoneNumber(String),
    /// `extensionNumber`: short extension number (e.g. a call queue's).
    ExtensionNumber(String),
    /// `extensionId` (SPEC since 2025-09).
    ExtensionId(String),
    /// `voicemail`: the extension id whose voicemail receives the call.
    Voicemail(String),
    /// `parkOrbit`: park orbit id.
    ParkOrbit(String),
}

/// Body of `POST …/parties/{partyId}/forward` (SPEC `ForwardTarget`; pre-answer only, no
/// park orbit): exactly one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ForwardTarget {
    /// `phoneNumber`: E.164 number.
    PhoneNumber(String),
    /// `extensionNumber`.
    ExtensionNumber(String),
    /// `extensionId`.
    ExtensionId(String),
    /// `voicemail`: extension id.
    Voicemail(String),
}
