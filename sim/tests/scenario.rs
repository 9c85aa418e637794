//! The full hunt: call-out to IRS PPS → webhook order of the reference → IVR answered with
//! DTMF over the media WebSocket → hold → agent speaks (ground truth) → transfer to a call
//! queue → queue answers; ground truth recorded.
mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::*;
use futures::{SinkExt, StreamExt};
use ringcentral_sim::admin::SettingsUpdate;
use ringcentral_sim::farend::{DestinationCatalog, IvrInput};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// prompt id → digits the PPS menu accepts.
fn pps_menu() -> HashMap<String, String> {
    let model = DestinationCatalog::irs_presets()
        .lookup(PPS)
        .expect("PPS preset");
    model
        .spec()
        .ivr
        .steps
        .iter()
        .filter_map(|s| match &s.input {
            IvrInput::Menu { accept } => Some((s.prompt_id.clone(), accept.first()?.clone())),
            _ => None,
        })
        .collect()
}

fn prompt_id(event: &str) -> Option<String> {
    let rest = event.strip_prefix("IvrPrompt { prompt_id: \"")?;
    Some(rest.split('"').next()?.to_string())
}

#[tokio::test]
async fn pps_hunt_to_call_queue() {
    let mut config = test_config();
    config.time_scale = 1000.0;
    config.media_pace = 10.0;
    config.queue_ring_ms = 400;
    let sim = start(config).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    let menu = pps_menu();
    let ws_base = sim.handle.base_url().replace("http://", "ws://");

    let mut attempt = 0;
    let (sid, frames) = loop {
        attempt += 1;
        assert!(attempt <= 6, "no seed led to an agent");
        let v = sim.call_out(0, PPS).await;
        let sid = v["session"]["id"].as_str().unwrap().to_string();
        let (ws, _) = tokio_tungstenite::connect_async(format!("{ws_base}/sim/media/{sid}"))
            .await
            .unwrap();
        let (mut tx, mut rx) = ws.split();
        let frames = Arc::new(AtomicU64::new(0));
        let f2 = frames.clone();
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(t))) = rx.next().await {
                if t.as_str().contains("\"event\":\"media\"") {
                    f2.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
        // Reference order up to both Answered.
        let got = r.wait_for(&sid, "answered", |n| n.len() >= 5).await;
        let want = [
            ("1", "Setup"),
            ("2", "Proceeding"),
            ("1", "Proceeding"),
            ("2", "Answered"),
            ("1", "Answered"),
        ];
        let got5: Vec<(String, String)> = steps(&got).into_iter().take(5).collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got5, want, "{}", summary(&got));
        // Drive the IVR: answer each menu prompt once it is heard.
        let mut answered_prompts = 0;
        let deadline = Instant::now() + Duration::from_secs(90);
        let outcome = loop {
            let truth = sim.handle.call(&sid).unwrap();
            let prompts: Vec<String> = truth
                .timeline
                .iter()
                .filter_map(|e| prompt_id(&e.event))
                .collect();
            let menu_prompts: Vec<&String> =
                prompts.iter().filter(|p| menu.contains_key(*p)).collect();
            while answered_prompts < menu_prompts.len() {
                let digits = &menu[menu_prompts[answered_prompts]];
                for d in digits.chars() {
                    tx.send(Message::Text(
                        json!({"event": "dtmf", "dtmf": {"digit": d.to_string()}})
                            .to_string()
                            .into(),
                    ))
                    .await
                    .unwrap();
                }
                answered_prompts += 1;
            }
            if truth.agent_speech_started.is_some() {
                break Some(truth);
            }
            if truth.ended_at.is_some() {
                break None;
            }
            assert!(
                Instant::now() < deadline,
                "stuck: {:?}",
                truth.timeline.iter().map(|e| &e.event).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        match outcome {
            Some(truth) => {
                assert!(
                    truth
                        .timeline
                        .iter()
                        .any(|e| e.event.starts_with("DtmfAccepted")),
                    "IVR took our DTMF"
                );
                let hold = truth.hold_started.expect("hold started");
                let speech = truth.agent_speech_started.unwrap();
                assert!(speech.media_ms > hold.media_ms);
                assert!(speech.wall >= hold.wall);
                break (sid, frames);
            }
            None => {
                // Courtesy disconnect or similar for this seed: try another one.
                sim.handle
                    .update_settings(SettingsUpdate {
                        seed: Some(1000 + attempt),
                        ..Default::default()
                    })
                    .unwrap();
            }
        }
    };
    assert!(
        frames.load(Ordering::Relaxed) > 50,
        "media flowed over the WebSocket"
    );

    // Transfer p-1 to the first call queue.
    let queues: Value = sim
        .get("/restapi/v1.0/account/~/call-queues")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let q_number = queues["records"][0]["extensionNumber"]
        .as_str()
        .unwrap()
        .to_string();
    let q_id = queues["records"][0]["id"].as_str().unwrap().to_string();
    let path = format!("/restapi/v1.0/account/~/telephony/sessions/{sid}");
    let p1 = format!("p-{}-1", &sid[2..]);
    let t = sim
        .post(&format!("{path}/parties/{p1}/transfer"))
        .json(&json!({"extensionNumber": q_number}))
        .send()
        .await
        .unwrap();
    assert_eq!(t.status(), 200);
    let t: Value = t.json().await.unwrap();
    let f = fixture("transfer-party-response-blind-transfer.json");
    assert_eq!(keys(&t), keys(&f));
    assert_eq!(
        t["status"],
        json!({"code": "Disconnected", "reason": "BlindTransfer"})
    );
    // A second transfer: p-1 is Disconnected now.
    let again = sim
        .post(&format!("{path}/parties/{p1}/transfer"))
        .json(&json!({"extensionNumber": q_number}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);

    let got = r
        .wait_for(&sid, "queue answered", |n| {
            steps(n).iter().any(|(p, s)| p == "3" && s == "Answered")
        })
        .await;
    let tail: Vec<String> = got
        .iter()
        .map(|n| {
            let p = &n["body"]["parties"][0];
            let id = p["id"].as_str().unwrap();
            format!(
                "{}:{}{}",
                &id[id.len() - 1..],
                p["status"]["code"].as_str().unwrap(),
                p["status"]["reason"]
                    .as_str()
                    .map(|r| format!("/{r}"))
                    .unwrap_or_default()
            )
        })
        .skip_while(|s| !s.starts_with("1:Disconnected"))
        .collect();
    assert_eq!(
        tail,
        vec![
            "1:Disconnected/BlindTransfer",
            "3:Setup",
            "3:Proceeding",
            "3:Answered"
        ],
        "{}",
        summary(&got)
    );
    let q_note = got
        .iter()
        .rev()
        .find(|n| {
            n["body"]["parties"][0]["id"]
                .as_str()
                .unwrap()
                .ends_with("-3")
        })
        .unwrap();
    assert_eq!(q_note["body"]["parties"][0]["queueCall"], true);
    assert_eq!(q_note["body"]["parties"][0]["extensionId"], q_id.as_str());
    assert!(
        q_note["event"]
            .as_str()
            .unwrap()
            .contains(&format!("/extension/{q_id}/"))
    );
    let seqs: Vec<u64> = got
        .iter()
        .map(|n| n["body"]["sequence"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[1] > w[0]),
        "strictly increasing: {seqs:?}"
    );
    assert_eq!(seqs[0], 2);

    let truth = sim.handle.call(&sid).unwrap();
    let asked = truth.transfer_requested_at.expect("transfer time");
    let ringing = truth.queue_ringing_at.expect("queue ringing");
    let answered = truth.queue_answered_at.expect("queue answered");
    assert!(ringing >= asked && answered > ringing);
    assert!(answered.duration_since(ringing).as_millis() >= 390);
    assert!(asked >= truth.agent_speech_started.unwrap().wall);
    assert!(!truth.agent_hung_up_first);
    // The admin API shows the same truth.
    let a: Value = sim
        .http
        .get(sim.url(&format!("/sim/admin/calls/{sid}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["telephonySessionId"], sid.as_str());
    assert!(a["agentSpeechStarted"]["mediaMs"].as_u64().unwrap() > 0);
    assert_eq!(a["destinationId"], "irs-pps");

    // Hang up: the queue party and the far end are Disconnected.
    assert_eq!(sim.delete(&path).send().await.unwrap().status(), 204);
    let got = r
        .wait_for(&sid, "all disconnected", |n| {
            let s = steps(n);
            s.contains(&("3".into(), "Disconnected".into()))
                && s.contains(&("2".into(), "Disconnected".into()))
        })
        .await;
    assert!(!got.is_empty());
}

#[tokio::test]
async fn busy_and_no_answer_lines() {
    let mut config = test_config();
    config.media_pace = 20.0;
    let sim = start(config).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    for (number, reason) in [("+15550100002", "TargetBusy"), ("+15550100003", "NoAnswer")] {
        let v = sim.call_out(1, number).await;
        let sid = v["session"]["id"].as_str().unwrap().to_string();
        let got = r
            .wait_for(&sid, "disconnected", |n| {
                steps(n).iter().filter(|(_, s)| s == "Disconnected").count() == 2
            })
            .await;
        let last = &got[got.len() - 1]["body"]["parties"][0];
        assert_eq!(last["status"]["reason"], reason, "{}", summary(&got));
    }
}

#[tokio::test]
async fn hold_and_unhold_on_answered_call() {
    let mut config = test_config();
    config.media_pace = 5.0;
    let sim = start(config).await;
    let r = receiver(Mode::Good).await;
    subscribe(&sim, &r, &BOTH_FILTERS).await;
    let v = sim.call_out(0, "+15550100001").await;
    let sid = v["session"]["id"].as_str().unwrap().to_string();
    r.wait_for(&sid, "answered", |n| {
        steps(n).contains(&("1".into(), "Answered".into()))
    })
    .await;
    let p1 = format!("p-{}-1", &sid[2..]);
    let path = format!("/restapi/v1.0/account/~/telephony/sessions/{sid}/parties/{p1}");
    let h = sim
        .post(&format!("{path}/hold"))
        .json(&json!({"proto": "Auto"}))
        .send()
        .await
        .unwrap();
    assert_eq!(h.status(), 200);
    assert_eq!(h.json::<Value>().await.unwrap()["status"]["code"], "Hold");
    assert_eq!(
        sim.post(&format!("{path}/hold"))
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    let u = sim.post(&format!("{path}/unhold")).send().await.unwrap();
    assert_eq!(u.status(), 200);
    assert_eq!(
        u.json::<Value>().await.unwrap()["status"]["code"],
        "Answered"
    );
    let got = r
        .wait_for(&sid, "hold+unhold", |n| {
            steps(n).contains(&("1".into(), "Hold".into())) && n.len() >= 7
        })
        .await;
    let s = steps(&got);
    assert_eq!(
        &s[5..7],
        &[("1".into(), "Hold".into()), ("1".into(), "Answered".into())],
        "{}",
        summary(&got)
    );
}
