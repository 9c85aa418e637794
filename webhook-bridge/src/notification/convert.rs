//! Maps one webhook delivery body to a [`TelephonySessionEvent`], checking the fields the hunt
//! engine needs.
//!
//! Error reasons are fixed texts plus field names and positions: they never quote payload
//! values (payloads hold phone numbers and names), so they are safe to log.

use std::str::FromStr;

use holdhunter_proto::v1::{TelephonyParty, TelephonySessionEvent};
use serde_json::error::Category;

use super::envelope::{NotificationEnvelope, PartyInfo, TelephonySessionBody};

/// Marker of telephony session event filters, account or extension level (reference §4):
/// `/restapi/v1.0/account/{acc}[/extension/{ext}]/telephony/sessions`.
const TELEPHONY_SESSIONS_FILTER: &str = "/telephony/sessions";

/// What a well-formed delivery carries.
#[derive(Debug)]
pub enum Delivery {
    /// A telephony session notification, ready to forward.
    TelephonySession(Box<TelephonySessionEvent>),
    /// Any other event (e.g. a subscription renewal reminder): acknowledged and not forwarded.
    Other,
}

/// Why a delivery body was refused (the bridge answers 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Not JSON, or not a JSON object at the top level.
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// JSON, but a field the engine needs is missing or unusable.
    #[error("invalid telephony notification: {0}")]
    Invalid(String),
}

/// Decodes a webhook body. `received_at` is when the bridge accepted the request; it becomes
/// `TelephonySessionEvent.received_at`.
///
/// A delivery is a telephony session notification when its `event` contains
/// `/telephony/sessions`, or when `event` is absent and the body has a `telephonySessionId`.
/// It must then have `body.telephonySessionId` (non-empty), an integer `body.sequence`, and at
/// least one party, each with `id` and `status.code`. Timestamps that do not parse as
/// ISO-8601 are left unset rather than refused (the engine orders by `sequence`).
pub fn parse_delivery(
    body: &[u8],
    received_at: jiff::Timestamp,
) -> Result<Delivery, DeliveryError> {
    // serde's derived structs also accept JSON arrays (positional fields): refuse them here.
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|b| *b != b'{') {
        return Err(DeliveryError::Malformed(
            "top level is not a JSON object".into(),
        ));
    }
    let envelope: NotificationEnvelope = serde_json::from_slice(body)
        .map_err(|e| DeliveryError::Malformed(describe_json_error(&e)))?;
    let telephony_body_present = envelope
        .body
        .as_ref()
        .is_some_and(|b| b.telephony_session_id.is_some());
    let is_telephony = match envelope.event.as_deref() {
        Some(event) => event.contains(TELEPHONY_SESSIONS_FILTER),
        None if telephony_body_present => true,
        None => {
            return Err(DeliveryError::Invalid(
                "no `event` and no `body.telephonySessionId`".into(),
            ));
        }
    };
    if !is_telephony {
        return Ok(Delivery::Other);
    }
    to_event(envelope, received_at).map(|e| Delivery::TelephonySession(Box::new(e)))
}

fn to_event(
    envelope: NotificationEnvelope,
    received_at: jiff::Timestamp,
) -> Result<TelephonySessionEvent, DeliveryError> {
    let invalid = |reason: &str| DeliveryError::Invalid(reason.to_owned());
    let body: TelephonySessionBody = envelope
        .body
        .ok_or_else(|| invalid("missing `body` object"))?;
    let telephony_session_id = body
        .telephony_session_id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| invalid("missing `body.telephonySessionId`"))?;
    let sequence = body
        .sequence
        .ok_or_else(|| invalid("missing or non-integer `body.sequence`"))?;
    let raw_parties = body
        .parties
        .ok_or_else(|| invalid("missing `body.parties` array"))?;
    if raw_parties.is_empty() {
        return Err(invalid("empty `body.parties`"));
    }
    let parties = raw_parties
        .into_iter()
        .enumerate()
        .map(|(index, party)| to_party(index, party))
        .collect::<Result<Vec<_>, _>>()?;

    Ok(TelephonySessionEvent {
        uuid: envelope.uuid.unwrap_or_default(),
        event_filter: envelope.event.unwrap_or_default(),
        subscription_id: envelope.subscription_id.unwrap_or_default(),
        owner_id: envelope.owner_id.unwrap_or_default(),
        timestamp: envelope.timestamp.as_deref().and_then(parse_timestamp),
        sequence,
        telephony_session_id,
        session_id: body.session_id.unwrap_or_default(),
        server_id: body.server_id.unwrap_or_default(),
        event_time: body.event_time.as_deref().and_then(parse_timestamp),
        origin_type: body.origin.and_then(|o| o.origin_type).unwrap_or_default(),
        parties,
        received_at: Some(to_proto_timestamp(received_at)),
    })
}

fn to_party(index: usize, party: Option<PartyInfo>) -> Result<TelephonyParty, DeliveryError> {
    let party = party.ok_or_else(|| {
        DeliveryError::Invalid(format!("`body.parties[{index}]` is not an object"))
    })?;
    let party_id = party
        .id
        .filter(|id| !id.is_empty())
        .ok_or_else(|| DeliveryError::Invalid(format!("missing `body.parties[{index}].id`")))?;
    let status = party.status.unwrap_or_default();
    let status_code = status.code.filter(|c| !c.is_empty()).ok_or_else(|| {
        DeliveryError::Invalid(format!("missing `body.parties[{index}].status.code`"))
    })?;
    let from = party.from.unwrap_or_default();
    let to = party.to.unwrap_or_default();
    Ok(TelephonyParty {
        party_id,
        account_id: party.account_id.unwrap_or_default(),
        extension_id: party.extension_id.unwrap_or_default(),
        direction: party.direction.unwrap_or_default(),
        status_code,
        status_reason: status.reason.unwrap_or_default(),
        status_description: status.description.unwrap_or_default(),
        from_phone_number: from.phone_number.unwrap_or_default(),
        from_device_id: from.device_id.unwrap_or_default(),
        from_extension_id: from.extension_id.unwrap_or_default(),
        from_name: from.name.unwrap_or_default(),
        to_phone_number: to.phone_number.unwrap_or_default(),
        to_extension_id: to.extension_id.unwrap_or_default(),
        to_name: to.name.unwrap_or_default(),
        muted: party.muted.unwrap_or(false),
        stand_alone: party.stand_alone.unwrap_or(false),
        missed_call: party.missed_call.unwrap_or(false),
        queue_call: party.queue_call.unwrap_or(false),
    })
}

fn parse_timestamp(text: &str) -> Option<prost_types::Timestamp> {
    jiff::Timestamp::from_str(text).ok().map(to_proto_timestamp)
}

/// `jiff::Timestamp` → `google.protobuf.Timestamp` (seconds since the Unix epoch + nanos in
/// 0..1e9, also before 1970 where jiff's sub-second part is negative).
pub fn to_proto_timestamp(ts: jiff::Timestamp) -> prost_types::Timestamp {
    let (seconds, nanos) = (ts.as_second(), ts.subsec_nanosecond());
    if nanos < 0 {
        prost_types::Timestamp {
            seconds: seconds - 1,
            nanos: nanos + 1_000_000_000,
        }
    } else {
        prost_types::Timestamp { seconds, nanos }
    }
}

/// serde_json's own messages may quote payload text; keep only the category and position.
fn describe_json_error(err: &serde_json::Error) -> String {
    let what = match err.classify() {
        Category::Io => "read error",
        Category::Syntax => "syntax error",
        Category::Eof => "unexpected end of input",
        Category::Data => "top level is not a JSON object",
    };
    format!("{what} at line {} column {}", err.line(), err.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SETUP: &str = r#"{
      "uuid": "2425066947943057062",
      "event": "/restapi/v1.0/account/170848004/extension/170848004/telephony/sessions",
      "timestamp": "2019-09-05T07:18:54.508Z",
      "subscriptionId": "4a2eee85-880d-4690-9959-85d9fc70728b",
      "ownerId": "170848004",
      "body": {
        "sequence": 2, "sessionId": "21529129004",
        "telephonySessionId": "s-bb843f9bc3bd4366a83f9e953f2c9c58",
        "serverId": "10.28.20.109.TAM", "eventTime": "2019-09-05T07:18:54.344Z",
        "parties": [{
          "accountId": "170848004", "extensionId": "170848004",
          "id": "p-bb843f9bc3bd4366a83f9e953f2c9c58-1", "direction": "Outbound",
          "to": {"phoneNumber": "+16579991394"},
          "from": {"phoneNumber": "+16504257106", "extensionId": "170848004", "deviceId": "52294004"},
          "status": {"code": "Setup", "rcc": false},
          "missedCall": false, "standAlone": false, "muted": false, "someFutureField": {"x": 1}
        }],
        "origin": {"type": "Call"}
      }
    }"#;

    fn now() -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_700_000_000).unwrap()
    }

    fn parse(text: &str) -> Result<Delivery, DeliveryError> {
        parse_delivery(text.as_bytes(), now())
    }

    #[test]
    fn maps_every_field() {
        let Delivery::TelephonySession(event) = parse(SETUP).unwrap() else {
            panic!("not telephony")
        };
        assert_eq!(event.uuid, "2425066947943057062");
        assert_eq!(event.sequence, 2);
        assert_eq!(
            event.telephony_session_id,
            "s-bb843f9bc3bd4366a83f9e953f2c9c58"
        );
        assert_eq!(event.origin_type, "Call");
        let ts = event.timestamp.unwrap();
        assert_eq!((ts.seconds, ts.nanos), (1_567_667_934, 508_000_000));
        assert_eq!(event.received_at.unwrap().seconds, 1_700_000_000);
        let party = &event.parties[0];
        assert_eq!(party.status_code, "Setup");
        assert_eq!(party.from_device_id, "52294004");
        assert_eq!(party.to_phone_number, "+16579991394");
        assert_eq!(party.extension_id, "170848004");
    }

    #[test]
    fn refuses_what_the_engine_needs_without_quoting_values() {
        for (needle, want) in [
            (r#""sequence": 2,"#, "body.sequence"),
            (
                r#""telephonySessionId": "s-bb843f9bc3bd4366a83f9e953f2c9c58","#,
                "telephonySessionId",
            ),
            (r#""code": "Setup", "#, "status.code"),
            (
                r#""id": "p-bb843f9bc3bd4366a83f9e953f2c9c58-1", "#,
                "parties[0].id",
            ),
        ] {
            assert!(SETUP.contains(needle), "{needle}");
            let err = parse(&SETUP.replace(needle, "")).unwrap_err();
            assert!(
                matches!(&err, DeliveryError::Invalid(r) if r.contains(want)),
                "{err}"
            );
        }
        let err = parse(r#"{"secret-ish": "+16504257106""#).unwrap_err();
        assert!(matches!(&err, DeliveryError::Malformed(_)));
        assert!(!err.to_string().contains("1650"), "{err}");
        let err = parse(r#""+16504257106""#).unwrap_err();
        assert!(!err.to_string().contains("1650"), "{err}");
        let err = parse(r#"["1", "/restapi/v1.0/account/1/telephony/sessions"]"#).unwrap_err();
        assert!(matches!(&err, DeliveryError::Malformed(_)), "{err}");
        assert!(!err.to_string().contains("1650"), "{err}");
    }

    #[test]
    fn timestamps_before_1970_keep_nanos_non_negative() {
        let ts = jiff::Timestamp::from_str("1969-12-31T23:59:59.750Z").unwrap();
        let proto = to_proto_timestamp(ts);
        assert_eq!((proto.seconds, proto.nanos), (-1, 750_000_000));
    }

    #[test]
    fn other_events_are_recognised() {
        let reminder = r#"{"uuid":"1","event":"/restapi/v1.0/subscription/~?threshold=120&interval=60",
            "body":{"id":"4a2eee85","expirationTime":"2019-09-05T07:18:54Z","status":"Active"}}"#;
        assert!(matches!(parse(reminder).unwrap(), Delivery::Other));
    }
}
