//! North American call-progress tones (ANSI T1.401 / Bellcore LSSGR precise tone plan).

const RATE: f64 = 8000.0;

fn dual_tone(f1: f64, f2: f64, on_ms: u64, off_ms: u64, level_dbfs: f64) -> Vec<i16> {
    let amp = 32768.0 * 10f64.powf(level_dbfs / 20.0);
    let on = (on_ms * 8) as usize;
    let off = (off_ms * 8) as usize;
    let mut v: Vec<i16> = (0..on)
        .map(|i| {
            let t = i as f64 / RATE;
            let ramp = (i.min(on - 1 - i) as f64 / 40.0).min(1.0);
            (amp * ramp
                * ((2.0 * std::f64::consts::PI * f1 * t).sin()
                    + (2.0 * std::f64::consts::PI * f2 * t).sin())) as i16
        })
        .collect();
    v.resize(on + off, 0);
    v
}

/// One ringback cycle: 440 + 480 Hz, 2 s on, 4 s off, -19 dBFS per tone (6 s, 48 000 samples).
pub fn ringback_cycle() -> Vec<i16> {
    dual_tone(440.0, 480.0, 2000, 4000, -19.0)
}

/// One busy cycle: 480 + 620 Hz, 0.5 s on, 0.5 s off, -24 dBFS per tone.
pub fn busy_cycle() -> Vec<i16> {
    dual_tone(480.0, 620.0, 500, 500, -24.0)
}
