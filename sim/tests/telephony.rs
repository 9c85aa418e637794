//! Call-out, sessions, parties, notifications (shapes vs fixtures, order), media WebSocket.
mod common;

use std::time::Duration;

use common::*;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const CALL_OUT: &str = "/restapi/v1.0/account/~/telephony/call-out";

#[tokio::test]
async fn call_out_201_matches_fixture() {
    let sim = start(test_config()).await;
    let r = sim
        .post(CALL_OUT)
        .json(&json!({"from": {"deviceId": sim.device_id(0)}, "to": {"phoneNumber": PPS}, "countryId": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["x-rate-limit-group"], "heavy");
    let v: Value = r.json().await.unwrap();
    let f = fixture("call-out-response-201.json");
    assert_eq!(keys(&v), keys(&f));
    assert_eq!(keys(&v["session"]), keys(&f["session"]));
    let (p, fp) = (&v["session"]["parties"][0], &f["session"]["parties"][0]);
    assert_eq!(v["session"]["parties"].as_array().unwrap().len(), 1);
    assert_eq!(keys(p), keys(fp));
    for k in ["from", "to", "owner", "status"] {
        assert_eq!(keys(&p[k]), keys(&fp[k]), "{k}");
    }
    assert_eq!(v["session"]["origin"]["type"], "CallOut");
    assert_eq!(p["status"]["code"], "Setup");
    assert_eq!(p["direction"], "Outbound");
    let sid = v["session"]["id"].as_str().unwrap();
    assert!(sid.starts_with("s-"));
    assert_eq!(p["id"], format!("p-{}-1", &sid[2..]));
    assert_eq!(p["from"]["deviceId"], sim.device_id(0).as_str());
    assert_eq!(p["to"]["phoneNumber"], PPS);
}

#[tokio::test]
async fn call_out_errors() {
    let sim = start(test_config()).await;
    let dev = sim.device_id(0);
    let cases = [
        (
            json!({"to": {"phoneNumber": PPS}}),
            400,
            "CMN-101",
            "from.deviceId",
        ),
        (
            json!({"from": {}, "to": {"phoneNumber": PPS}}),
            400,
            "CMN-101",
            "from.deviceId",
        ),
        (json!({"from": {"deviceId": dev}}), 400, "CMN-101", "to"),
        (
            json!({"from": {"deviceId": dev}, "to": {}}),
            400,
            "CMN-101",
            "to",
        ),
        (
            json!({"from": {"deviceId": dev}, "to": {"phoneNumber": "call me"}}),
            400,
            "CMN-101",
            "to.phoneNumber",
        ),
        (
            json!({"from": {"deviceId": "999"}, "to": {"phoneNumber": PPS}}),
            404,
            "CMN-102",
            "from.deviceId",
        ),
    ];
    for (body, status, code, param) in cases {
        let r = sim.post(CALL_OUT).json(&body).send().await.unwrap();
        assert_eq!(r.status(), status, "{body}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(keys(&v), set(&["errors"]));
        assert_eq!(
            keys(&v["errors"][0]),
            set(&["errorCode", "message", "parameterName"])
        );
        assert_eq!(v["errors"][0]["errorCode"], code, "{body}");
        assert_eq!(v["errors"][0]["parameterName"], param, "{body}");
    }
    sim.handle
        .set_device_status(&dev, ringcentral_sim::state::DeviceStatus::Offline);
    let r = sim
        .post(CALL_OUT)
        .json(&json!({"from": {"deviceId": dev}, "to": {"phoneNumber": PPS}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = sim
        .post("/restapi/v1.0/account/777/telephony/call-out")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(sim.handle.calls().is_empty(), "no call was created");
}

#[tokio::test]
async fn unknown_number_notifications_order_and_shapes() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    let sub = subscribe(&sim, &r, &BOTH_FILTERS).await;
    let v = sim.call_out(2, "+15550001234").await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    let got = r.wait_for(&sid, "5 notifications", |n| n.len() >= 5).await;
    let order: Vec<(String, String)> = steps(&got);
    let want: Vec<(String, String)> = [
        ("1", "Setup"),
        ("2", "Proceeding"),
        ("1", "Proceeding"),
        ("2", "Disconnected"),
        ("1", "Disconnected"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(order, want, "{}", summary(&got));
    let seqs: Vec<u64> = got
        .iter()
        .map(|n| n["body"]["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![2, 3, 4, 5, 6]);
    assert_eq!(
        got[3]["body"]["parties"][0]["status"]["reason"],
        "InvalidNumber"
    );
    // Shapes against the fixtures.
    let setup = fixture("notification-ext-outbound-party-setup.json");
    let proceeding = fixture("notification-acct-callee-party-proceeding.json");
    let seq = fixture("notification-sequence-rc-to-pstn-2020.json");
    assert_eq!(keys(&got[0]), keys(&setup));
    assert_eq!(keys(&got[0]["body"]), keys(&setup["body"]));
    let mut p1_keys = keys(&seq[0]["body"]["parties"][0]);
    assert_eq!(keys(&got[0]["body"]["parties"][0]), p1_keys);
    assert_eq!(
        keys(&got[0]["body"]["parties"][0]["from"]),
        keys(&setup["body"]["parties"][0]["from"])
    );
    assert_eq!(
        keys(&got[0]["body"]["parties"][0]["status"]),
        keys(&setup["body"]["parties"][0]["status"])
    );
    p1_keys.remove("extensionId");
    assert_eq!(
        keys(&got[1]["body"]["parties"][0]),
        p1_keys,
        "PSTN party has no extensionId"
    );
    assert_eq!(
        keys(&got[1]["body"]["parties"][0]["from"]),
        keys(&proceeding["body"]["parties"][0]["from"])
    );
    let acc = sim.handle.account().id;
    let line = sim.handle.account().devices[2].extension_id;
    assert_eq!(
        got[0]["event"],
        format!("/restapi/v1.0/account/{acc}/extension/{line}/telephony/sessions")
    );
    assert_eq!(
        got[1]["event"],
        format!("/restapi/v1.0/account/{acc}/telephony/sessions")
    );
    assert_eq!(got[0]["subscriptionId"], sub["id"]);
    assert_eq!(
        got[0]["ownerId"],
        sim.handle.account().owner_extension_id.to_string()
    );
    assert_eq!(got[0]["body"]["origin"]["type"], "CallOut");
    assert!(
        got[0]["uuid"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_digit())
    );
    let (headers, _) = r.received.lock().unwrap()[0].clone();
    assert_eq!(headers["content-type"], "application/json; charset=UTF-8");
    assert_eq!(headers["user-agent"], "RingCentral-Webhook/8.3");
    assert_eq!(headers["verification-token"], "test-verification-token");
    // Over: GET/DELETE say 404; ground truth knows why.
    let path = format!("/restapi/v1.0/account/~/telephony/sessions/{sid}");
    eventually("call ended", || {
        sim.handle.call(&sid).is_some_and(|c| c.ended_at.is_some())
    })
    .await;
    assert_eq!(sim.get(&path).send().await.unwrap().status(), 404);
    assert_eq!(sim.delete(&path).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn extension_filter_only_gets_its_own_parties() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    let line = sim.handle.account().devices[3].extension_id;
    subscribe(
        &sim,
        &r,
        &[&format!(
            "/restapi/v1.0/account/~/extension/{line}/telephony/sessions?direction=Outbound"
        )],
    )
    .await;
    let v = sim.call_out(3, "+15550001234").await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    eventually("ended", || {
        sim.handle.call(&sid).is_some_and(|c| c.ended_at.is_some())
    })
    .await;
    let got = r
        .wait_for(&sid, "3 p-1 notifications", |n| n.len() >= 3)
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got2 = r.of_session(&sid);
    assert_eq!(got.len(), got2.len());
    assert!(
        steps(&got2).iter().all(|(p, _)| p == "1"),
        "{}",
        summary(&got2)
    );
}

#[tokio::test]
async fn session_get_party_ops_and_delete() {
    let sim = start(test_config()).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    let v = sim.call_out(0, PPS).await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    let p1 = format!("p-{}-1", &sid[2..]);
    let p2 = format!("p-{}-2", &sid[2..]);
    r.wait_for(&sid, "ringing", |n| n.len() >= 3).await;
    let path = format!("/restapi/v1.0/account/~/telephony/sessions/{sid}");
    let g = sim.get(&path).send().await.unwrap();
    assert_eq!(g.status(), 200);
    assert_eq!(g.headers()["x-rate-limit-group"], "light");
    let g: Value = g.json().await.unwrap();
    let f = fixture("get-call-session-outbound-answered.json");
    assert_eq!(keys(&g), keys(&f));
    assert_eq!(
        keys(&g["parties"][1]),
        keys(&f["parties"][1]),
        "PSTN party has no owner"
    );
    assert_eq!(
        keys(&g["parties"][1]["from"]),
        keys(&f["parties"][1]["from"])
    );
    let party = sim
        .get(&format!("{path}/parties/{p1}"))
        .send()
        .await
        .unwrap();
    assert_eq!(party.status(), 200);
    let party: Value = party.json().await.unwrap();
    assert_eq!(keys(&party), keys(&f["parties"][0]));
    assert_eq!(
        sim.get(&format!("{path}/parties/p-nope-9"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Still ringing (skeleton far ends may answer at once, so only check when Proceeding).
    if g["parties"][0]["status"]["code"] == "Proceeding" {
        let t = sim
            .post(&format!("{path}/parties/{p1}/transfer"))
            .json(&json!({"extensionNumber": "5001"}))
            .send()
            .await
            .unwrap();
        assert_eq!(t.status(), 409);
        let t: Value = t.json().await.unwrap();
        assert_eq!(t["errors"][0]["errorCode"], "TAS-102");
        assert_eq!(t["errors"][0]["message"], "Incorrect State");
        let h = sim
            .post(&format!("{path}/parties/{p1}/hold"))
            .send()
            .await
            .unwrap();
        assert_eq!(h.status(), 409);
    }
    let u = sim
        .post(&format!("{path}/parties/{p1}/unhold"))
        .send()
        .await
        .unwrap();
    assert_eq!(u.status(), 409);
    // Target validation: none, two, unknown.
    for (body, code) in [
        (json!({}), 400),
        (
            json!({"extensionNumber": "5001", "phoneNumber": "+15550000000"}),
            400,
        ),
        (json!({"extensionNumber": "9999"}), 404),
        (json!({"parkOrbit": "*801"}), 400),
    ] {
        let t = sim
            .post(&format!("{path}/parties/{p1}/transfer"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(t.status(), code, "{body}");
    }
    // The PSTN party isn't ours.
    let t = sim
        .post(&format!("{path}/parties/{p2}/hold"))
        .send()
        .await
        .unwrap();
    assert_eq!(t.status(), 403);
    // Hang up.
    let d = sim.delete(&path).send().await.unwrap();
    assert_eq!(d.status(), 204);
    assert!(d.bytes().await.unwrap().is_empty());
    let got = r
        .wait_for(&sid, "both Disconnected", |n| {
            steps(n).iter().filter(|(_, s)| s == "Disconnected").count() == 2
        })
        .await;
    let tail: Vec<(String, String)> = steps(&got).into_iter().rev().take(2).collect();
    assert_eq!(
        tail[1],
        ("1".to_string(), "Disconnected".to_string()),
        "{}",
        summary(&got)
    );
    assert!(
        got.iter()
            .all(|n| n["body"]["parties"][0]["status"].get("reason").is_none())
    );
    assert_eq!(sim.get(&path).send().await.unwrap().status(), 404);
    assert_eq!(sim.delete(&path).send().await.unwrap().status(), 404);
    let truth = sim.handle.call(&sid).unwrap();
    assert_eq!(
        truth.ended_by,
        Some(ringcentral_sim::ground_truth::EndedBy::Api)
    );
    let seqs: Vec<u64> = got
        .iter()
        .map(|n| n["body"]["sequence"].as_u64().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");
}

#[tokio::test]
async fn media_websocket_streams_and_takes_dtmf() {
    let mut config = test_config();
    config.media_pace = 4.0;
    let sim = start(config).await;
    let ws_base = sim.handle.base_url().replace("http://", "ws://");
    let err = tokio_tungstenite::connect_async(format!("{ws_base}/sim/media/s-unknown")).await;
    assert!(err.is_err(), "unknown session refuses the upgrade");
    let v = sim.call_out(0, PPS).await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{ws_base}/sim/media/{sid}"))
        .await
        .unwrap();
    let mut next = async || -> Value {
        loop {
            match tokio::time::timeout(Duration::from_secs(20), ws.next())
                .await
                .expect("message")
                .expect("open")
                .unwrap()
            {
                Message::Text(t) => return serde_json::from_str(t.as_str()).unwrap(),
                Message::Close(_) => return Value::Null,
                _ => continue,
            }
        }
    };
    assert_eq!(
        next().await,
        json!({"event":"connected","protocol":"Call","version":"1.0.0"})
    );
    let start = next().await;
    assert_eq!(start["event"], "start");
    assert_eq!(start["sequenceNumber"], "1");
    assert_eq!(start["start"]["callSid"], sid.as_str());
    assert_eq!(
        start["start"]["mediaFormat"],
        json!({"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1})
    );
    let mut last_seq = 1u64;
    let mut last_ts = None;
    for _ in 0..20 {
        let m = next().await;
        assert_eq!(m["event"], "media");
        let seq: u64 = m["sequenceNumber"].as_str().unwrap().parse().unwrap();
        assert!(seq > last_seq);
        last_seq = seq;
        let ts: u64 = m["media"]["timestamp"].as_str().unwrap().parse().unwrap();
        if let Some(prev) = last_ts {
            assert_eq!(ts, prev + 20);
        }
        last_ts = Some(ts);
        use base64::Engine;
        let payload = base64::engine::general_purpose::STANDARD
            .decode(m["media"]["payload"].as_str().unwrap())
            .unwrap();
        assert_eq!(payload.len(), 160);
        assert_eq!(m["streamSid"], start["streamSid"]);
    }
    ws.send(Message::Text(
        json!({"event":"dtmf","dtmf":{"digit":"1"}})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let mut saw_echo = false;
    for _ in 0..500 {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            break;
        };
        let m: Value = serde_json::from_str(t.as_str()).unwrap();
        if m["event"] == "dtmf" {
            assert_eq!(m["dtmf"]["digit"], "1");
            saw_echo = true;
            break;
        }
    }
    assert!(saw_echo, "DTMF echoed");
    eventually("dtmf in ground truth", || {
        sim.handle
            .call(&sid)
            .is_some_and(|c| c.dtmf.iter().any(|d| d.digit == '1'))
    })
    .await;
    let d = sim
        .delete(&format!("/restapi/v1.0/account/~/telephony/sessions/{sid}"))
        .send()
        .await
        .unwrap();
    assert_eq!(d.status(), 204);
    let mut saw_stop = false;
    while let Some(Ok(m)) = ws.next().await {
        if let Message::Text(t) = m {
            let m: Value = serde_json::from_str(t.as_str()).unwrap();
            if m["event"] == "stop" {
                saw_stop = true;
                assert_eq!(m["stop"]["callSid"], sid.as_str());
            }
        }
    }
    assert!(saw_stop);
}
