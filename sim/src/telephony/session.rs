//! The telephony session model and its two JSON renderings: the REST `CallSessionObject` /
//! `CallParty` (fixtures `call-out-response-201.json`, `get-call-session-outbound-answered.json`)
//! and the notification body (fixtures `notification-*.json`).

use jiff::Timestamp;
use serde_json::{Map, Value, json};

/// SPEC `CallStatusInfo.code` values the simulator uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyStatus {
    /// Setup.
    Setup,
    /// Proceeding (ringing).
    Proceeding,
    /// Answered.
    Answered,
    /// Hold.
    Hold,
    /// Disconnected.
    Disconnected,
}

impl PartyStatus {
    /// The `code` string.
    pub fn as_str(self) -> &'static str {
        match self {
            PartyStatus::Setup => "Setup",
            PartyStatus::Proceeding => "Proceeding",
            PartyStatus::Answered => "Answered",
            PartyStatus::Hold => "Hold",
            PartyStatus::Disconnected => "Disconnected",
        }
    }
}

/// `Inbound` / `Outbound`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Inbound.
    Inbound,
    /// Outbound.
    Outbound,
}

impl Direction {
    /// The `direction` string.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "Inbound",
            Direction::Outbound => "Outbound",
        }
    }
}

/// SPEC `PartyInfo`.
#[derive(Debug, Clone, Default)]
pub struct PartyInfo {
    /// E.164 number or extension number.
    pub phone_number: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Extension id.
    pub extension_id: Option<u64>,
    /// Device id.
    pub device_id: Option<String>,
}

impl PartyInfo {
    /// REST rendering (keys: deviceId, extensionId, name, phoneNumber; only those set).
    fn rest(&self) -> Value {
        let mut m = Map::new();
        if let Some(d) = &self.device_id {
            m.insert("deviceId".into(), json!(d));
        }
        if let Some(e) = self.extension_id {
            m.insert("extensionId".into(), json!(e.to_string()));
        }
        if let Some(n) = &self.name {
            m.insert("name".into(), json!(n));
        }
        if let Some(p) = &self.phone_number {
            m.insert("phoneNumber".into(), json!(p));
        }
        Value::Object(m)
    }

    /// Notification rendering; `with_name=false` drops `name` (captures show no name in the
    /// caller party's own `from`).
    fn event(&self, with_name: bool) -> Value {
        let mut m = Map::new();
        if let Some(p) = &self.phone_number {
            m.insert("phoneNumber".into(), json!(p));
        }
        if with_name && let Some(n) = &self.name {
            m.insert("name".into(), json!(n));
        }
        if let Some(e) = self.extension_id {
            m.insert("extensionId".into(), json!(e.to_string()));
        }
        if let Some(d) = &self.device_id {
            m.insert("deviceId".into(), json!(d));
        }
        Value::Object(m)
    }
}

/// One party.
#[derive(Debug, Clone)]
pub struct Party {
    /// `p-<hex>-<n>`.
    pub id: String,
    /// Direction.
    pub direction: Direction,
    /// Status code.
    pub status: PartyStatus,
    /// SPEC `status.reason`, e.g. `BlindTransfer`, `NoAnswer`.
    pub reason: Option<&'static str>,
    /// From.
    pub from: PartyInfo,
    /// To.
    pub to: PartyInfo,
    /// Owning extension (RC-owned parties only; the PSTN party has none).
    pub owner_extension_id: Option<u64>,
    /// Party of a call-queue call (notification `queueCall`).
    pub queue_call: bool,
}

/// A telephony session (SPEC `CallSessionObject`).
#[derive(Debug, Clone)]
pub struct CallSession {
    /// `telephonySessionId`, `s-<32 hex>`.
    pub id: String,
    /// The 32 hex digits shared with party ids.
    pub hex: String,
    /// Legacy numeric `sessionId` (notifications only).
    pub session_id: String,
    /// `serverId`.
    pub server_id: String,
    /// `creationTime`.
    pub creation_time: Timestamp,
    /// Account id.
    pub account_id: u64,
    /// Parties, `p-…-1` first.
    pub parties: Vec<Party>,
    /// Next notification `sequence` (starts at 2 like every real capture).
    pub next_sequence: u64,
}

/// A notification ready for fan-out: the body plus what filters match on.
#[derive(Debug, Clone)]
pub struct Notification {
    /// `telephonySessionId`.
    pub telephony_session_id: String,
    /// `body.sequence`.
    pub sequence: u64,
    /// Party id.
    pub party_id: String,
    /// Party's owning extension (selects the `event` path and extension filters).
    pub party_extension_id: Option<u64>,
    /// Party direction.
    pub direction: &'static str,
    /// Party status code.
    pub status_code: &'static str,
    /// Numbers in the party's from/to (for `phoneNumber=` filters).
    pub phone_numbers: Vec<String>,
    /// The `body` object.
    pub body: Value,
}

/// `2020-06-23T01:19:21.627Z` (ms precision, `Z`).
pub fn iso_ms(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// `2019-09-05T08:05:00Z` (s precision).
pub fn iso_s(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Party {
    /// REST `CallParty` (keys as in the fixtures: direction, from, id, muted, owner?,
    /// standAlone, status{code, reason?}, to).
    pub fn rest_json(&self, account_id: u64) -> Value {
        let mut status = json!({"code": self.status.as_str()});
        if let Some(r) = self.reason {
            status["reason"] = json!(r);
        }
        let mut v = json!({
            "direction": self.direction.as_str(),
            "from": self.from.rest(),
            "id": self.id,
            "muted": false,
            "standAlone": false,
            "status": status,
            "to": self.to.rest(),
        });
        if let Some(e) = self.owner_extension_id {
            v["owner"] = json!({"accountId": account_id.to_string(), "extensionId": e.to_string()});
        }
        v
    }

    /// Notification party (keys as in the captures: accountId, extensionId?, id, direction,
    /// to, from, status{code, reason?, rcc}, park, missedCall, standAlone, muted, queueCall?).
    pub fn event_json(&self, account_id: u64) -> Value {
        let mut status = json!({"code": self.status.as_str()});
        if let Some(r) = self.reason {
            status["reason"] = json!(r);
        }
        status["rcc"] = json!(false);
        let mut v = json!({
            "accountId": account_id.to_string(),
            "id": self.id,
            "direction": self.direction.as_str(),
            "to": self.to.event(true),
            "from": self.from.event(self.direction == Direction::Inbound),
            "status": status,
            "park": {},
            "missedCall": false,
            "standAlone": false,
            "muted": false,
        });
        if let Some(e) = self.owner_extension_id {
            v["extensionId"] = json!(e.to_string());
        }
        if self.queue_call {
            v["queueCall"] = json!(true);
        }
        v
    }

    /// Still connected (not Disconnected).
    pub fn is_live(&self) -> bool {
        self.status != PartyStatus::Disconnected
    }
}

impl CallSession {
    /// REST `CallSessionObject` (GET session; wrapped in `{session:…}` by call-out).
    pub fn rest_json(&self) -> Value {
        json!({
            "creationTime": iso_s(self.creation_time),
            "id": self.id,
            "origin": {"type": "CallOut"},
            "parties": self.parties.iter().map(|p| p.rest_json(self.account_id)).collect::<Vec<_>>(),
        })
    }

    /// Party index by id.
    pub fn party_index(&self, party_id: &str) -> Option<usize> {
        self.parties.iter().position(|p| p.id == party_id)
    }

    /// Builds the notification for party `idx`'s current state, consuming one `sequence`.
    pub fn notification(&mut self, idx: usize) -> Notification {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let p = &self.parties[idx];
        let body = json!({
            "sequence": sequence,
            "sessionId": self.session_id,
            "telephonySessionId": self.id,
            "serverId": self.server_id,
            "eventTime": iso_ms(Timestamp::now()),
            "parties": [p.event_json(self.account_id)],
            "origin": {"type": "CallOut"},
        });
        Notification {
            telephony_session_id: self.id.clone(),
            sequence,
            party_id: p.id.clone(),
            party_extension_id: p.owner_extension_id,
            direction: p.direction.as_str(),
            status_code: p.status.as_str(),
            phone_numbers: [&p.from.phone_number, &p.to.phone_number]
                .into_iter()
                .flatten()
                .cloned()
                .collect(),
            body,
        }
    }
}
