//! The media client against the simulator's real media WebSocket: frames in order, DTMF to
//! the far end (sim ground truth), 404 for unknown calls; the supervisor's leg task navigates
//! the PPS IVR by prompt and reconnects after its socket is cut.

mod media_sim;

use std::sync::Arc;
use std::time::Duration;

use hold_hunter_server::engine::media::{LegMedia, MediaSupervisor};
use hold_hunter_server::media::{
    DetectorSupervisor, MediaConfig, MediaError, MediaEvent, MediaSource, WebSocketMediaSource,
};
use holdhunter_proto::v1::IvrStep;
use media_sim::*;

fn sim_config(time_scale: f64, media_pace: f64) -> ringcentral_sim::SimConfig {
    let mut cfg = ringcentral_sim::SimConfig {
        time_scale,
        media_pace,
        device_answer_ms: 50,
        ..Default::default()
    };
    cfg.rate_limits.enabled = false;
    cfg
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_frames_arrive_in_order_and_dtmf_reaches_the_far_end() {
    let sim = ringcentral_sim::spawn(sim_config(1.0, 4.0)).await.unwrap();
    let rc = rc_client(&sim).await;
    let leg = call(&sim, &rc, PPS_NUMBER).await;
    let source = WebSocketMediaSource::new(media_template(sim.base_url()), Duration::from_secs(5));
    let mut stream = source.connect(&leg).await.expect("media stream attaches");

    let mut frames = Vec::new();
    let mut saw_connected = false;
    let mut saw_start = false;
    tokio::time::timeout(Duration::from_secs(20), async {
        while frames.len() < 100 {
            match stream.next_event().await.unwrap().expect("stream open") {
                MediaEvent::Connected => saw_connected = true,
                MediaEvent::Started { .. } => saw_start = true,
                MediaEvent::Frame(f) => frames.push(f),
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("100 frames within 20 s");
    assert!(saw_connected && saw_start);
    for w in frames.windows(2) {
        assert!(
            w[1].sequence > w[0].sequence,
            "sequence numbers increase: {} then {}",
            w[0].sequence,
            w[1].sequence
        );
        assert_eq!(w[1].timestamp_ms, w[0].timestamp_ms + 20, "20 ms frames");
    }
    assert!(frames.iter().all(|f| f.payload.len() == 160));

    stream.send_dtmf('1').await.unwrap();
    let echoed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if let MediaEvent::Dtmf { digit } =
                stream.next_event().await.unwrap().expect("stream open")
            {
                return digit;
            }
        }
    })
    .await
    .expect("DTMF echo");
    assert_eq!(echoed, '1');
    let truth = sim.call(&leg.telephony_session_id).unwrap();
    assert_eq!(
        truth.dtmf.iter().map(|d| d.digit).collect::<String>(),
        "1",
        "{:?}",
        truth.dtmf
    );

    // Hang-up: the stream says stop; an unknown session is NotFound.
    rc.delete_session(&leg.telephony_session_id).await.unwrap();
    let stopped = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.next_event().await {
                Ok(Some(MediaEvent::Stopped { reason })) => return Some(reason),
                Ok(None) | Err(_) => return None,
                Ok(Some(_)) => {}
            }
        }
    })
    .await
    .expect("stream ends after hang-up");
    assert!(stopped.is_some(), "stop message before close");
    let unknown = LegMedia {
        telephony_session_id: "s-does-not-exist".into(),
        ..leg
    };
    assert!(matches!(
        source.connect(&unknown).await,
        Err(MediaError::NotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leg_task_navigates_the_pps_ivr_by_prompt_and_reconnects_after_a_cut() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("hold_hunter_server=debug")
        .with_test_writer()
        .try_init();
    let redis = holdhunter_devstack::RedisServer::start().unwrap();
    let store = hold_hunter_server::store::Store::connect(
        &redis.url(),
        Duration::from_secs(5),
        &hold_hunter_server::config::EngineConfig::default(),
    )
    .await
    .unwrap();
    // time_scale 60: PPS plays 5 s of music before its second menu.
    let sim = ringcentral_sim::spawn(sim_config(60.0, 4.0)).await.unwrap();
    let sim_addr = sim
        .base_url()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let proxy = CutProxy::start(sim_addr).await;
    let rc = rc_client(&sim).await;
    let leg = call(&sim, &rc, PPS_NUMBER).await;

    let config = MediaConfig {
        url_template: Some(media_template(&format!("http://{}", proxy.addr))),
        reconnect_initial_ms: 50,
        ..MediaConfig::default()
    };
    let (_shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
    let supervisor = DetectorSupervisor::from_config(&config, store, shutdown_rx).unwrap();
    let sink = RecordingSink::default();
    let plan = vec![
        IvrStep {
            prompt: "language".into(),
            expect: "for english press 1".into(),
            digits: "1".into(),
            fallback_ms: 20_000,
        },
        IvrStep {
            prompt: "service".into(),
            expect: "press 3".into(),
            digits: "3".into(),
            fallback_ms: 60_000,
        },
    ];
    supervisor.start_with_plan(leg.clone(), "irs-pps".into(), plan, Arc::new(sink.clone()));
    // Starting again is a no-op.
    supervisor.start(leg.clone(), Arc::new(sink.clone()));
    assert_eq!(supervisor.active_legs(), 1);

    until(
        "'1' accepted by the welcome menu",
        Duration::from_secs(30),
        dtmf_then(&sim, &leg.telephony_session_id, "1", false),
    )
    .await;
    let steps = sink.ivr_steps();
    assert!(
        steps[0].contains("'language'") && steps[0].ends_with("sent 1"),
        "{steps:?}"
    );

    // Cut the media socket: the task reports the drop, reconnects, and reports the gap.
    proxy.cut();
    until("reconnect", Duration::from_secs(20), || async {
        (proxy.accepted() >= 2).then_some(())
    })
    .await;
    until("drop and gap notes", Duration::from_secs(20), || async {
        let notes = sink.notes();
        (notes.iter().any(|n| n.contains("dropped"))
            && notes.iter().any(|n| n.contains("media gap")))
        .then_some(notes)
    })
    .await;

    // The info message runs into music: no digit there; '3' goes to the second menu.
    until(
        "'3' accepted by the second menu",
        Duration::from_secs(60),
        dtmf_then(&sim, &leg.telephony_session_id, "13", true),
    )
    .await;
    let steps = sink.ivr_steps();
    assert_eq!(steps.len(), 2, "{steps:?}");
    assert!(
        steps[1].contains("'service': prompt ended") && steps[1].ends_with("sent 3"),
        "{steps:?}"
    );
    let truth = sim.call(&leg.telephony_session_id).unwrap();
    assert_eq!(
        truth.dtmf.iter().map(|d| d.digit).collect::<String>(),
        "13",
        "{:?}",
        truth.dtmf
    );

    supervisor.stop(&leg);
    until("leg task ended", Duration::from_secs(10), || async {
        (supervisor.active_legs() == 0).then_some(())
    })
    .await;
    rc.delete_session(&leg.telephony_session_id).await.unwrap();
}

/// Polls until the far end received exactly `digits` (and, with `queued`, put the call in
/// the hold queue: every menu accepted).
fn dtmf_then<'a>(
    sim: &'a ringcentral_sim::SimHandle,
    id: &'a str,
    digits: &'static str,
    queued: bool,
) -> impl FnMut() -> std::future::Ready<Option<()>> + 'a {
    move || {
        let t = sim.call(id).unwrap();
        let got: String = t.dtmf.iter().map(|d| d.digit).collect();
        assert!(
            digits.starts_with(&got) || got.starts_with(digits),
            "far end got {got:?}"
        );
        std::future::ready((got == digits && (!queued || t.hold_started.is_some())).then_some(()))
    }
}
