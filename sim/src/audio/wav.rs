//! Minimal RIFF/WAVE reading and writing: mono or stereo 16-bit PCM, 8-bit mu-law.

use std::path::Path;

use anyhow::{Context, bail};

use super::ulaw::decode_ulaw;

/// Decoded WAV audio: mono 16-bit samples at `rate_hz` (stereo is averaged to mono).
#[derive(Debug, Clone)]
pub struct WavAudio {
    /// Sample rate in Hz.
    pub rate_hz: u32,
    /// Mono linear samples.
    pub samples: Vec<i16>,
}

/// Parse a WAV file from bytes. Supports PCM 16-bit (format 1) and G.711 mu-law (format 7).
///
/// Errors: not RIFF/WAVE, missing `fmt `/`data` chunks, or an unsupported format.
pub fn parse_wav(bytes: &[u8]) -> anyhow::Result<WavAudio> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        bail!("not a RIFF/WAVE file");
    }
    let mut pos = 12;
    let mut fmt: Option<(u16, u16, u32, u16)> = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let len = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into()?) as usize;
        let body_start = pos + 8;
        let body_end = (body_start + len).min(bytes.len());
        let body = &bytes[body_start..body_end];
        if id == b"fmt " {
            if body.len() < 16 {
                bail!("short fmt chunk");
            }
            let format = u16::from_le_bytes([body[0], body[1]]);
            let channels = u16::from_le_bytes([body[2], body[3]]);
            let rate = u32::from_le_bytes(body[4..8].try_into()?);
            let bits = u16::from_le_bytes([body[14], body[15]]);
            fmt = Some((format, channels, rate, bits));
        } else if id == b"data" {
            let (format, channels, rate_hz, bits) = fmt.context("data chunk before fmt chunk")?;
            let channels = channels.max(1) as usize;
            let frames: Vec<i32> = match (format, bits) {
                (1, 16) | (0xFFFE, 16) => body
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]) as i32)
                    .collect(),
                (7, 8) => body.iter().map(|&b| decode_ulaw(b) as i32).collect(),
                _ => bail!("unsupported WAV format {format} with {bits} bits"),
            };
            let samples = frames
                .chunks_exact(channels)
                .map(|c| (c.iter().sum::<i32>() / channels as i32) as i16)
                .collect();
            return Ok(WavAudio { rate_hz, samples });
        }
        pos = body_start + len + (len & 1);
    }
    bail!("no data chunk")
}

/// Read a WAV file from disk (see [`parse_wav`]).
pub fn read_wav(path: &Path) -> anyhow::Result<WavAudio> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse_wav(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// Encode mono 16-bit PCM samples as WAV bytes.
pub fn wav_bytes(samples: &[i16], rate_hz: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + data_len as usize);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate_hz.to_le_bytes());
    out.extend_from_slice(&(rate_hz * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

/// Write mono 16-bit PCM samples to a WAV file.
pub fn write_wav(path: &Path, samples: &[i16], rate_hz: u32) -> anyhow::Result<()> {
    std::fs::write(path, wav_bytes(samples, rate_hz))
        .with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_round_trip() {
        let s: Vec<i16> = (0..100).map(|i| (i * 300 - 15000) as i16).collect();
        let parsed = parse_wav(&wav_bytes(&s, 8000)).unwrap();
        assert_eq!(parsed.rate_hz, 8000);
        assert_eq!(parsed.samples, s);
        assert!(parse_wav(b"nope").is_err());
    }
}
