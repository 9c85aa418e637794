//! Text for people: short enum names, durations as `1h02m`/`03:07`, truncation to a column
//! width, and a small aligned-table printer.

use holdhunter_proto::v1 as pb;

/// `JOB_STATE_HUNTING` → `HUNTING` (unknown values print as their number).
pub fn job_state(value: i32) -> String {
    short(
        pb::JobState::try_from(value).map(|e| e.as_str_name()),
        "JOB_STATE_",
        value,
    )
}

/// `LEG_STATE_HOLD` → `HOLD`.
pub fn leg_state(value: i32) -> String {
    short(
        pb::LegState::try_from(value).map(|e| e.as_str_name()),
        "LEG_STATE_",
        value,
    )
}

/// `LEG_END_REASON_NO_ANSWER` → `NO_ANSWER`.
pub fn leg_end_reason(value: i32) -> String {
    short(
        pb::LegEndReason::try_from(value).map(|e| e.as_str_name()),
        "LEG_END_REASON_",
        value,
    )
}

/// `JOB_END_CAUSE_TRANSFERRED` → `TRANSFERRED`.
pub fn job_end_cause(value: i32) -> String {
    short(
        pb::JobEndCause::try_from(value).map(|e| e.as_str_name()),
        "JOB_END_CAUSE_",
        value,
    )
}

/// `JOB_EVENT_KIND_LEG_STATE` → `LEG_STATE`.
pub fn event_kind(value: i32) -> String {
    short(
        pb::JobEventKind::try_from(value).map(|e| e.as_str_name()),
        "JOB_EVENT_KIND_",
        value,
    )
}

/// `DEVICE_STATUS_ONLINE` → `ONLINE`.
pub fn device_status(value: i32) -> String {
    short(
        pb::DeviceStatus::try_from(value).map(|e| e.as_str_name()),
        "DEVICE_STATUS_",
        value,
    )
}

fn short<E>(name: Result<&'static str, E>, prefix: &str, value: i32) -> String {
    match name {
        Ok(n) => {
            let s = n.strip_prefix(prefix).unwrap_or(n);
            if s == "UNSPECIFIED" {
                "-".to_string()
            } else {
                s.to_string()
            }
        }
        Err(_) => value.to_string(),
    }
}

/// Elapsed time as `MM:SS` below an hour, `H:MM:SS` above.
pub fn clock(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// A duration for sentences: `850 ms`, `12.3 s`, `4 min 05 s`, `1 h 02 min`.
pub fn human_ms(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let ms = ms.unsigned_abs();
    if ms < 1000 {
        format!("{sign}{ms} ms")
    } else if ms < 60_000 {
        format!("{sign}{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{sign}{} min {:02} s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{sign}{} h {:02} min", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// `"7200s"`-style protobuf duration as `2h`, `90m`, `45s`.
pub fn proto_duration(d: Option<&prost_types::Duration>) -> String {
    match d {
        None => "-".into(),
        Some(d) => {
            let s = d.seconds.max(0);
            match (s / 3600, (s / 60) % 60, s % 60) {
                (0, 0, sec) => format!("{sec}s"),
                (0, m, 0) => format!("{m}m"),
                (h, 0, 0) => format!("{h}h"),
                (h, m, 0) => format!("{h}h{m:02}m"),
                (0, m, sec) => format!("{m}m{sec:02}s"),
                (h, m, sec) => format!("{h}h{m:02}m{sec:02}s"),
            }
        }
    }
}

/// Local `YYYY-MM-DD HH:MM:SS` of a protobuf timestamp, `-` when unset.
pub fn when(ts: Option<&prost_types::Timestamp>) -> String {
    match ts.and_then(crate::render::json::to_jiff) {
        Some(t) => t
            .to_zoned(jiff::tz::TimeZone::system())
            .strftime("%Y-%m-%d %H:%M:%S")
            .to_string(),
        None => "-".into(),
    }
}

/// Cuts `text` to at most `width` characters, ending with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// Prints rows as left-aligned columns separated by two spaces; the header is the first row.
/// Empty cells print as `-`.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    if c.is_empty() {
                        "-".to_string()
                    } else {
                        c.clone()
                    }
                })
                .collect()
        })
        .collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let mut push_row = |cells: Vec<&str>| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                let pad = widths[i].saturating_sub(cell.chars().count()) + 2;
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    push_row(header.to_vec());
    for row in &rows {
        push_row(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(job_state(pb::JobState::Hunting as i32), "HUNTING");
        assert_eq!(leg_state(0), "-");
        assert_eq!(leg_state(99), "99");
    }

    #[test]
    fn times() {
        assert_eq!(clock(61_000), "01:01");
        assert_eq!(clock(3_723_000), "1:02:03");
        assert_eq!(human_ms(850), "850 ms");
        assert_eq!(human_ms(12_345), "12.3 s");
        assert_eq!(human_ms(245_000), "4 min 05 s");
        let d = prost_types::Duration {
            seconds: 5400,
            nanos: 0,
        };
        assert_eq!(proto_duration(Some(&d)), "1h30m");
    }

    #[test]
    fn truncation_and_table() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        let t = table(&["A", "BB"], &[vec!["xyz".into(), String::new()]]);
        assert_eq!(t, "A    BB\nxyz  -\n");
    }
}
