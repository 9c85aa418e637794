//! Per-group rate limiting (REF §6): sliding window per group, 429 CMN-301 with `Retry-After`
//! when over, a penalty that restarts on every request made during it, and the
//! `X-Rate-Limit-*` headers on every response. The simulator has one user and one app, so the
//! limiter is keyed by group only.
//!
//! [`classify`] maps a request to its SPEC operationId and `x-throttling-group`.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue, Method};
use serde::{Deserialize, Serialize};

use crate::config::RateLimitConfig;

/// SPEC `x-throttling-group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Group {
    /// Light.
    Light,
    /// Medium.
    Medium,
    /// Heavy.
    Heavy,
    /// Auth.
    Auth,
}

impl Group {
    /// Lower-case header value (DOCS rate-limits.md example `X-Rate-Limit-Group: light`).
    pub fn header_value(self) -> &'static str {
        match self {
            Group::Light => "light",
            Group::Medium => "medium",
            Group::Heavy => "heavy",
            Group::Auth => "auth",
        }
    }
}

/// Maps a RingCentral request to (SPEC operationId, group); `None` for paths the sim doesn't
/// implement (they get 404 without rate limiting).
pub fn classify(method: &Method, path: &str) -> Option<(&'static str, Group)> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    use Group::*;
    let m = method.as_str();
    let op = match (m, segs.as_slice()) {
        ("POST", ["restapi", "oauth", "token"]) => ("getToken", Auth),
        ("POST", ["restapi", "oauth", "revoke"]) => ("revokeToken", Auth),
        ("POST", ["restapi", "v1.0", "account", _, "telephony", "call-out"]) => {
            ("createCallOutCallSession", Heavy)
        }
        ("GET", ["restapi", "v1.0", "account", _, "telephony", "sessions", _]) => {
            ("readCallSessionStatus", Light)
        }
        ("DELETE", ["restapi", "v1.0", "account", _, "telephony", "sessions", _]) => {
            ("deleteCallSession", Light)
        }
        (
            "GET",
            [
                "restapi",
                "v1.0",
                "account",
                _,
                "telephony",
                "sessions",
                _,
                "parties",
                _,
            ],
        ) => ("readCallPartyStatus", Light),
        (
            "POST",
            [
                "restapi",
                "v1.0",
                "account",
                _,
                "telephony",
                "sessions",
                _,
                "parties",
                _,
                action,
            ],
        ) => match *action {
            "transfer" => ("transferCallParty", Light),
            "hold" => ("holdCallParty", Light),
            "unhold" => ("unholdCallParty", Light),
            "forward" => ("forwardCallParty", Light),
            _ => return None,
        },
        ("POST", ["restapi", "v1.0", "subscription"]) => ("createSubscription", Medium),
        ("GET", ["restapi", "v1.0", "subscription"]) => ("listSubscriptions", Light),
        ("GET", ["restapi", "v1.0", "subscription", _]) => ("readSubscription", Light),
        ("PUT", ["restapi", "v1.0", "subscription", _]) => ("updateSubscription", Medium),
        ("DELETE", ["restapi", "v1.0", "subscription", _]) => ("deleteSubscription", Medium),
        ("POST", ["restapi", "v1.0", "subscription", _, "renew"]) => ("renewSubscription", Light),
        ("GET", ["restapi", "v1.0", "account", _, "extension"]) => ("listExtensions", Medium),
        ("GET", ["restapi", "v1.0", "account", _, "extension", _]) => ("readExtension", Light),
        ("GET", ["restapi", "v1.0", "account", _, "extension", _, "device"]) => {
            ("listExtensionDevices", Light)
        }
        (
            "GET",
            [
                "restapi",
                "v1.0",
                "account",
                _,
                "extension",
                _,
                "phone-number",
            ],
        ) => ("listExtensionPhoneNumbers", Light),
        ("GET", ["restapi", "v1.0", "account", _, "call-queues"]) => ("listCallQueues", Medium),
        ("GET", ["restapi", "v1.0", "account", _, "call-queues", _, "members"]) => {
            ("listCallQueueMembers", Light)
        }
        ("GET", ["restapi", "v1.0", "account", _, "phone-number"]) => {
            ("listAccountPhoneNumbers", Heavy)
        }
        ("GET", ["restapi", "v1.0", "account", _, "device", _, "sip-info"]) => {
            ("readDeviceSipInfo", Light)
        }
        _ => return None,
    };
    Some(op)
}

/// Outcome of one admission.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    /// Group.
    pub group: Group,
    /// Limit per window.
    pub limit: u32,
    /// Requests left in the window.
    pub remaining: u32,
    /// Window, s.
    pub window_s: u64,
    /// `Some(retry_after_s)` when the request is refused (429).
    pub refused_retry_after_s: Option<u64>,
}

impl Admission {
    /// Writes `X-Rate-Limit-Group/-Limit/-Remaining/-Window`.
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert(
            "X-Rate-Limit-Group",
            HeaderValue::from_static(self.group.header_value()),
        );
        headers.insert("X-Rate-Limit-Limit", HeaderValue::from(self.limit));
        headers.insert("X-Rate-Limit-Remaining", HeaderValue::from(self.remaining));
        headers.insert("X-Rate-Limit-Window", HeaderValue::from(self.window_s));
    }
}

#[derive(Debug, Default)]
struct Bucket {
    hits: VecDeque<Instant>,
    penalty_until: Option<Instant>,
}

/// The limiter.
#[derive(Debug)]
pub struct RateLimiter {
    cfg: RateLimitConfig,
    buckets: std::collections::HashMap<Group, Bucket>,
}

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(cfg: RateLimitConfig) -> Self {
        RateLimiter {
            cfg,
            buckets: Default::default(),
        }
    }

    /// Current configuration.
    pub fn config(&self) -> &RateLimitConfig {
        &self.cfg
    }

    /// Replaces the configuration (admin API); clears all windows and penalties.
    pub fn set_config(&mut self, cfg: RateLimitConfig) {
        self.cfg = cfg;
        self.buckets.clear();
    }

    fn limit(&self, g: Group) -> u32 {
        match g {
            Group::Light => self.cfg.light,
            Group::Medium => self.cfg.medium,
            Group::Heavy => self.cfg.heavy,
            Group::Auth => self.cfg.auth,
        }
    }

    /// Admits or refuses one request of group `g` now.
    pub fn admit(&mut self, g: Group) -> Admission {
        let now = Instant::now();
        let limit = self.limit(g);
        let window = Duration::from_millis(self.cfg.window_ms);
        let penalty = Duration::from_millis(self.cfg.penalty_ms);
        let window_s = self.cfg.window_ms.div_ceil(1000);
        let penalty_s = self.cfg.penalty_ms.div_ceil(1000).max(1);
        let enabled = self.cfg.enabled;
        let b = self.buckets.entry(g).or_default();
        while b
            .hits
            .front()
            .is_some_and(|t| now.duration_since(*t) >= window)
        {
            b.hits.pop_front();
        }
        let mut adm = Admission {
            group: g,
            limit,
            remaining: 0,
            window_s,
            refused_retry_after_s: None,
        };
        if !enabled {
            b.hits.push_back(now);
            adm.remaining = limit.saturating_sub(b.hits.len() as u32);
            return adm;
        }
        if b.penalty_until.is_some_and(|until| now < until) {
            // Each request during the penalty restarts it (DOCS rate-limits.md).
            b.penalty_until = Some(now + penalty);
            adm.refused_retry_after_s = Some(penalty_s);
            return adm;
        }
        if b.hits.len() as u32 >= limit {
            b.penalty_until = Some(now + penalty);
            adm.refused_retry_after_s = Some(penalty_s);
            return adm;
        }
        b.hits.push_back(now);
        adm.remaining = limit.saturating_sub(b.hits.len() as u32);
        adm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_reference_groups() {
        let c = |m: Method, p: &str| classify(&m, p).map(|(_, g)| g);
        assert_eq!(
            c(Method::POST, "/restapi/v1.0/account/~/telephony/call-out"),
            Some(Group::Heavy)
        );
        assert_eq!(
            c(
                Method::POST,
                "/restapi/v1.0/account/~/telephony/sessions/s-1/parties/p-1/transfer"
            ),
            Some(Group::Light)
        );
        assert_eq!(
            c(Method::GET, "/restapi/v1.0/account/~/phone-number"),
            Some(Group::Heavy)
        );
        assert_eq!(
            c(Method::GET, "/restapi/v1.0/account/~/extension"),
            Some(Group::Medium)
        );
        assert_eq!(c(Method::POST, "/restapi/oauth/token"), Some(Group::Auth));
        assert_eq!(
            c(Method::POST, "/restapi/v1.0/subscription"),
            Some(Group::Medium)
        );
        assert_eq!(
            c(Method::POST, "/restapi/v1.0/subscription/x/renew"),
            Some(Group::Light)
        );
        assert_eq!(c(Method::GET, "/nope"), None);
    }

    #[test]
    fn refuses_over_limit_and_restarts_penalty() {
        let mut r = RateLimiter::new(RateLimitConfig {
            heavy: 2,
            ..Default::default()
        });
        assert_eq!(r.admit(Group::Heavy).remaining, 1);
        assert_eq!(r.admit(Group::Heavy).remaining, 0);
        assert_eq!(r.admit(Group::Heavy).refused_retry_after_s, Some(60));
        assert!(r.admit(Group::Light).refused_retry_after_s.is_none());
    }
}
