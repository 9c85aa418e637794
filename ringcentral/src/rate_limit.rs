//! RingCentral rate-limit headers and 429 handling (DOCS rate-limits.md).
//!
//! Every response may carry `X-Rate-Limit-Group`, `X-Rate-Limit-Limit`,
//! `X-Rate-Limit-Remaining` and `X-Rate-Limit-Window` (seconds). The last values seen per
//! group are kept and exposed by [`crate::Client::rate_limit_status`].

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The last rate-limit headers seen for one API group (DOCS rate-limits.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitInfo {
    /// `X-Rate-Limit-Group` as sent by the platform, e.g. `light`, `medium`, `heavy`, `auth`
    /// (DOCS shows lower case; group names may change).
    pub group: String,
    /// `X-Rate-Limit-Limit`: requests allowed per window.
    pub limit: Option<u32>,
    /// `X-Rate-Limit-Remaining`: requests left in the current window.
    pub remaining: Option<u32>,
    /// `X-Rate-Limit-Window`: the window length (header value in seconds).
    pub window: Option<Duration>,
    /// When the response carrying these headers was received.
    pub observed_at: jiff::Timestamp,
}

/// Thread-safe table of the last [`RateLimitInfo`] per group.
#[derive(Debug, Default)]
pub(crate) struct RateLimitTracker {
    groups: Mutex<BTreeMap<String, RateLimitInfo>>,
}

impl RateLimitTracker {
    /// Records the rate-limit headers of a response, if it has a group header.
    pub(crate) fn record(&self, headers: &HeaderMap) {
        if let Some(info) = parse_headers(headers) {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            groups.insert(info.group.clone(), info);
        }
    }

    /// Last seen info per group, ordered by group name.
    pub(crate) fn snapshot(&self) -> Vec<RateLimitInfo> {
        let groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
        groups.values().cloned().collect()
    }
}

/// `X-Rate-Limit-Group` of a response, if present.
pub(crate) fn group_of(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "x-rate-limit-group").map(str::to_owned)
}

/// `Retry-After` in whole seconds (DOCS: "Retry-After: <seconds>"); `None` when absent or not
/// an integer (an HTTP-date form is not used by RingCentral and falls back to the configured
/// default wait).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

fn parse_headers(headers: &HeaderMap) -> Option<RateLimitInfo> {
    let group = group_of(headers)?;
    let number = |name: &str| header_str(headers, name).and_then(|v| v.trim().parse::<u32>().ok());
    Some(RateLimitInfo {
        group,
        limit: number("x-rate-limit-limit"),
        remaining: number("x-rate-limit-remaining"),
        window: number("x-rate-limit-window").map(|s| Duration::from_secs(u64::from(s))),
        observed_at: jiff::Timestamp::now(),
    })
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}
