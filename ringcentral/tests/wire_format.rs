//! Every fixture in shared/fixtures/ringcentral decodes into its type, and request bodies
//! serialize to the exact RingCentral JSON.

use std::path::PathBuf;

use ringcentral::{
    CallOutRequest, CallOutResponse, CallParty, CallQueue, CallSession, Device, DeviceStatus,
    Direction, Extension, ForwardTarget, OriginType, Page, PartyStatusCode, PhoneNumber,
    SubscriptionList, SubscriptionStatus, TelephonySessionNotification, TokenInfo, TransferTarget,
    UpdateSubscriptionRequest,
};
use secrecy::ExposeSecret as _;
use serde::de::DeserializeOwned;
use serde_json::json;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/ringcentral")
}

fn load<T: DeserializeOwned>(name: &str) -> T {
    let path = fixtures_dir().join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("decode {name}: {e}"))
}

/// Decodes `name` as the type its file name says; panics for an unmapped file so that a new
/// fixture cannot go untested.
fn decode_by_name(name: &str) {
    match name {
        "oauth-token-response-jwt.json" => drop(load::<TokenInfo>(name)),
        "call-out-response-201.json" => drop(load::<CallOutResponse>(name)),
        "list-extension-devices.json" => drop(load::<Page<Device>>(name)),
        "list-call-queues.json" => drop(load::<Page<CallQueue>>(name)),
        n if n.starts_with("get-call-session-") => drop(load::<CallSession>(n)),
        n if n.starts_with("transfer-party-response-") => drop(load::<CallParty>(n)),
        n if n.starts_with("notification-sequence-") => {
            drop(load::<Vec<TelephonySessionNotification>>(n))
        }
        n if n.starts_with("notification-") => drop(load::<TelephonySessionNotification>(n)),
        n if n.starts_with("list-subscriptions-") => drop(load::<SubscriptionList>(n)),
        n if n.starts_with("list-account-phone-numbers-") => drop(load::<Page<PhoneNumber>>(n)),
        other => panic!("fixture {other} has no mapped type; add it to decode_by_name"),
    }
}

#[test]
fn every_fixture_decodes_into_its_type() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir (shared/ must sit beside the repository checkout)")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 15,
        "expected the 15 fixtures, found {names:?}"
    );
    for name in &names {
        decode_by_name(name);
    }
}

#[test]
fn token_response_decodes_with_secrets_redacted() {
    let token: TokenInfo = load("oauth-token-response-jwt.json");
    assert_eq!(token.expires_in, 7199);
    assert_eq!(token.refresh_token_expires_in, Some(604_799));
    assert_eq!(token.owner_id.as_deref(), Some("256440016"));
    assert!(token.access_token.expose_secret().starts_with("U1BC"));
    let debug = format!("{token:?}");
    assert!(!debug.contains(token.access_token.expose_secret()));
    assert!(!debug.contains("U1BC"), "tokens redacted in Debug: {debug}");
}

#[test]
fn call_out_response_unwraps_to_a_setup_outbound_party() {
    let response: CallOutResponse = load("call-out-response-201.json");
    let session = response.session;
    assert_eq!(session.id, "s-bb843f9bc3bd4366a83f9e953f2c9c58");
    assert_eq!(
        session.origin.as_ref().map(|o| &o.type_),
        Some(&OriginType::Call)
    );
    assert_eq!(
        session.creation_time.map(|t| t.to_string()).as_deref(),
        Some("2019-09-05T08:05:00Z")
    );
    let party = &session.parties[0];
    assert_eq!(party.direction, Direction::Outbound);
    assert_eq!(party.status.code, PartyStatusCode::Setup);
    let from = party.from.as_ref().expect("from");
    assert_eq!(from.device_id.as_deref(), Some("4388743021"));
    assert_eq!(
        party.owner.as_ref().and_then(|o| o.extension_id.as_deref()),
        Some("170848004")
    );
}

#[test]
fn get_session_fixtures_have_two_answered_parties() {
    for name in [
        "get-call-session-outbound-answered.json",
        "get-call-session-rc-to-rc-docs.json",
    ] {
        let session: CallSession = load(name);
        assert_eq!(session.parties.len(), 2, "{name}");
        assert!(
            session
                .parties
                .iter()
                .all(|p| p.status.code == PartyStatusCode::Answered),
            "{name}"
        );
        assert_eq!(session.parties[1].direction, Direction::Inbound);
    }
    let pstn: CallSession = load("get-call-session-outbound-answered.json");
    assert!(
        pstn.party("p-bb843f9bc3bd4366a83f9e953f2c9c58-2")
            .unwrap()
            .owner
            .is_none()
    );
}

#[test]
fn transfer_response_is_disconnected_blind_transfer() {
    let party: CallParty = load("transfer-party-response-blind-transfer.json");
    assert_eq!(party.status.code, PartyStatusCode::Disconnected);
    assert!(party.status.code.is_terminal());
    assert_eq!(party.status.reason.as_deref(), Some("BlindTransfer"));
}

#[test]
fn notification_sequence_is_ordered_and_complete() {
    let notifications: Vec<TelephonySessionNotification> =
        load("notification-sequence-rc-to-pstn-2020.json");
    let sequences: Vec<i64> = notifications.iter().map(|n| n.body.sequence).collect();
    assert_eq!(sequences, (2..=10).collect::<Vec<_>>());
    let caller_codes: Vec<PartyStatusCode> = notifications
        .iter()
        .flat_map(|n| &n.body.parties)
        .filter(|p| p.id.ends_with("-1"))
        .map(|p| p.status.code.clone())
        .collect();
    assert_eq!(
        caller_codes,
        [
            PartyStatusCode::Setup,
            PartyStatusCode::Proceeding,
            PartyStatusCode::Answered,
            PartyStatusCode::Hold,
            PartyStatusCode::Answered,
            PartyStatusCode::Disconnected,
        ]
    );
    for n in &notifications {
        assert_eq!(n.body.parties.len(), 1, "one party per notification");
        assert_eq!(
            n.body.telephony_session_id,
            "s-c23b203d62db4f6aaee00717bafa99be"
        );
        assert!(n.timestamp.is_some() && n.body.event_time.is_some());
    }
    // The PSTN callee party has no extension and comes on the account-level filter.
    let callee = &notifications[1];
    assert_eq!(
        callee.event,
        "/restapi/v1.0/account/809646016/telephony/sessions"
    );
    assert!(callee.body.parties[0].extension_id.is_none());
    assert_eq!(callee.body.parties[0].direction, Direction::Inbound);
}

#[test]
fn single_notifications_decode_their_details() {
    let setup: TelephonySessionNotification = load("notification-ext-outbound-party-setup.json");
    assert_eq!(setup.uuid, "2425066947943057062");
    assert_eq!(
        setup.subscription_id,
        "4a2eee85-880d-4690-9959-85d9fc70728b"
    );
    assert_eq!(setup.owner_id.as_deref(), Some("170848004"));
    assert_eq!(setup.body.sequence, 2);
    assert_eq!(setup.body.session_id.as_deref(), Some("21529129004"));
    assert_eq!(setup.body.server_id.as_deref(), Some("10.28.20.109.TAM"));
    let party = &setup.body.parties[0];
    assert_eq!(party.status.rcc, Some(false));
    assert_eq!(party.missed_call, Some(false));

    let pickup: TelephonySessionNotification =
        load("notification-ext-inbound-party-answered-mobilepickup.json");
    let status = &pickup.body.parties[0].status;
    assert_eq!(status.code, PartyStatusCode::Answered);
    let mobile = status
        .mobile_pickup_data
        .as_ref()
        .expect("mobilePickupData");
    assert_eq!(mobile.cc_mailboxes, ["684351005"]);
    assert!(pickup.body.parties[0].park.is_some());

    let disconnected: TelephonySessionNotification =
        load("notification-ext-outbound-party-disconnected.json");
    let status = &disconnected.body.parties[0].status;
    assert_eq!(status.code, PartyStatusCode::Disconnected);
    assert_eq!(status.reason, None, "plain hang-up has no reason");
}

#[test]
fn notification_round_trips_through_serde() {
    let original: TelephonySessionNotification =
        load("notification-ext-inbound-party-setup-2020.json");
    let json = serde_json::to_value(&original).expect("serialize");
    assert_eq!(json["body"]["parties"][0]["status"]["code"], "Setup");
    assert_eq!(
        json["subscriptionId"],
        "53300e7c-5e69-42bf-ab4d-179aabc6e869"
    );
    let back: TelephonySessionNotification = serde_json::from_value(json).expect("decode");
    assert_eq!(back, original);
}

#[test]
fn status_codes_accept_spec_and_docs_spellings() {
    let decode = |code: &str| -> PartyStatusCode {
        serde_json::from_value(json!(code)).expect("decode code")
    };
    assert_eq!(decode("VoiceMail"), PartyStatusCode::VoiceMail);
    assert_eq!(decode("Voicemail"), PartyStatusCode::VoiceMail);
    assert_eq!(decode("VMScreening"), PartyStatusCode::VoiceMailScreening);
    assert_eq!(decode("Tds"), PartyStatusCode::Tds);
    assert_eq!(
        decode("Brand-New"),
        PartyStatusCode::Unknown("Brand-New".into())
    );
    assert_eq!(json!(PartyStatusCode::VoiceMail), json!("VoiceMail"));
    let direction: Direction = serde_json::from_value(json!("Sideways")).unwrap();
    assert_eq!(direction, Direction::Other("Sideways".into()));
    let party: CallParty = serde_json::from_value(json!({"id": "p-1"})).unwrap();
    assert_eq!(party.status.code, PartyStatusCode::Unknown(String::new()));
}

#[test]
fn blacklisted_subscription_decodes() {
    let list: SubscriptionList = load("list-subscriptions-blacklisted.json");
    let sub = &list.records[0];
    assert_eq!(sub.status, Some(SubscriptionStatus::Blacklisted));
    assert!(sub.is_blacklisted());
    let data = sub.blacklisted_data.as_ref().expect("blacklistedData");
    assert_eq!(
        data.reason.as_deref(),
        Some("I/O operation is failed. Details: [Read timed out]")
    );
    assert!(data.blacklisted_at.is_some());
    assert_eq!(sub.expires_in, Some(464_203_396));
    let mode = sub.delivery_mode.as_ref().expect("deliveryMode");
    assert_eq!(mode.transport_type.as_deref(), Some("WebHook"));
    assert_eq!(mode.encryption, Some(false));
}

#[test]
fn directory_fixtures_decode_integer_ids_as_text() {
    let devices: Page<Device> = load("list-extension-devices.json");
    let device = &devices.records[0];
    assert_eq!(device.id, "52959004");
    assert_eq!(device.status, Some(DeviceStatus::Online));
    assert!(device.is_online());
    assert_eq!(
        device.extension.as_ref().and_then(|e| e.id.as_deref()),
        Some("170848004")
    );
    let line = device.phone_lines[0]
        .phone_info
        .as_ref()
        .expect("phoneInfo");
    assert_eq!(line.id.as_deref(), Some("244136004"));
    assert_eq!(line.phone_number.as_deref(), Some("+16504257106"));
    assert!(!devices.has_next_page());

    let queues: Page<CallQueue> = load("list-call-queues.json");
    assert_eq!(queues.records.len(), 3);
    assert_eq!(queues.records[0].extension_number.as_deref(), Some("10086"));
    assert_eq!(
        queues.paging.as_ref().and_then(|p| p.total_elements),
        Some(3)
    );

    let numbers: Page<PhoneNumber> = load("list-account-phone-numbers-directnumber.json");
    assert_eq!(numbers.records[1].id, "284652008");
    assert_eq!(
        numbers.records[1].usage_type.as_deref(),
        Some("DirectNumber")
    );

    let extension: Extension =
        serde_json::from_value(json!({"id": 400415045004_i64, "extensionNumber": "101"})).unwrap();
    assert_eq!(extension.id, "400415045004");
    let extension: Extension = serde_json::from_value(json!({"id": "42"})).unwrap();
    assert_eq!(extension.id, "42");
}

#[test]
fn request_bodies_serialize_as_ringcentral_expects() {
    let call_out = CallOutRequest::to_extension_number("59474004", "103");
    assert_eq!(
        json!(call_out),
        json!({"from": {"deviceId": "59474004"}, "to": {"extensionNumber": "103"}})
    );
    let mut call_out = CallOutRequest::to_phone_number("59474004", "+16502223366");
    call_out.country_id = Some(1);
    assert_eq!(
        json!(call_out),
        json!({"from": {"deviceId": "59474004"}, "to": {"phoneNumber": "+16502223366"}, "countryId": 1})
    );

    let cases = [
        (
            TransferTarget::PhoneNumber("+18885551932".into()),
            json!({"phoneNumber": "+18885551932"}),
        ),
        (
            TransferTarget::ExtensionNumber("10086".into()),
            json!({"extensionNumber": "10086"}),
        ),
        (
            TransferTarget::ExtensionId("11570443004".into()),
            json!({"extensionId": "11570443004"}),
        ),
        (
            TransferTarget::Voicemail("170848004".into()),
            json!({"voicemail": "170848004"}),
        ),
        (
            TransferTarget::ParkOrbit("801".into()),
            json!({"parkOrbit": "801"}),
        ),
    ];
    for (target, expected) in cases {
        assert_eq!(json!(target), expected);
    }
    assert_eq!(
        json!(ForwardTarget::ExtensionId("7".into())),
        json!({"extensionId": "7"})
    );
    assert_eq!(json!(UpdateSubscriptionRequest::default()), json!({}));
}
