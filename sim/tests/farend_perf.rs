//! Throughput of far-end frame generation. Ignored by default (timing); run with
//! `cargo test -p ringcentral-sim --release --test farend_perf -- --ignored --nocapture`.

mod farend_common;
use farend_common::*;

use std::time::Instant;

#[test]
#[ignore]
fn frame_generation_is_much_faster_than_real_time() {
    let m = model("+18668604259");
    for (name, bank) in [("synth", Some(synth_bank())), ("assets", asset_bank())] {
        let Some(bank) = bank else { continue };
        let mut frames = 0u64;
        let t0 = Instant::now();
        for cs in 0..20 {
            let mut call = m.start_call(bank.clone(), &cfg(1, 1.0), cs, a_weekday_noon());
            frames += drive(&mut call, 3 * 60 * 60 * 50, |_| false).len() as u64;
        }
        let secs = t0.elapsed().as_secs_f64();
        let media_s = frames as f64 * 0.02;
        eprintln!(
            "{name}: {frames} frames ({:.1} media h) in {secs:.2}s = {:.0}x real time, {:.2} us/frame",
            media_s / 3600.0,
            media_s / secs,
            secs * 1e6 / frames as f64
        );
    }
}
