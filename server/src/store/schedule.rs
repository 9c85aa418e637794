//! The durable dial schedule and the shared call-out rate limiter.
//!
//! Schedule: `hh:{sched}:dial` (member "job leg", score due ms). A claim atomically moves due
//! members to `hh:{sched}:claimed` with a lease; the claimer marks the leg DIALING with a
//! compare-and-set (only one claimer can win it) and then drops the claim. A claimer that
//! crashes leaves the claim to expire, and the member returns to the schedule: nothing is lost,
//! and the leg's compare-and-set from QUEUED keeps a second claimer from dialing it again.

use std::sync::LazyLock;

use redis::Script;

use super::Store;
use crate::error::Result;

const DIAL: &str = "hh:{sched}:dial";
const CLAIMED: &str = "hh:{sched}:claimed";

/// KEYS: dial, claimed. ARGV: now ms, lease ms, max count.
static CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now = tonumber(ARGV[1])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now)
for _, m in ipairs(expired) do
  redis.call('ZREM', KEYS[2], m)
  redis.call('ZADD', KEYS[1], now, m)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
for _, m in ipairs(due) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), m)
end
return due
",
    )
});

/// Sliding-window limiter. KEYS: window zset. ARGV: now ms, window ms, limit, member.
/// Returns 0 when admitted, else ms to wait.
static RATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
",
    )
});

fn member(job_id: &str, leg_id: &str) -> String {
    format!("{job_id} {leg_id}")
}

impl Store {
    /// Schedules (or reschedules) a leg's call-out at `due_ms`.
    pub async fn schedule_dial(&self, job_id: &str, leg_id: &str, due_ms: i64) -> Result<()> {
        redis::cmd("ZADD")
            .arg(DIAL)
            .arg(due_ms)
            .arg(member(job_id, leg_id))
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Claims up to `max` due legs with a lease of `lease_ms`; expired leases return first.
    pub async fn claim_due(
        &self,
        now_ms: i64,
        lease_ms: u64,
        max: usize,
    ) -> Result<Vec<(String, String)>> {
        let due: Vec<String> = CLAIM
            .key(DIAL)
            .key(CLAIMED)
            .arg(now_ms)
            .arg(lease_ms)
            .arg(max)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(due
            .into_iter()
            .filter_map(|m| {
                let (j, l) = m.split_once(' ')?;
                Some((j.to_owned(), l.to_owned()))
            })
            .collect())
    }

    /// Drops a claim (the leg was marked DIALING or is no longer QUEUED).
    pub async fn finish_claim(&self, job_id: &str, leg_id: &str) -> Result<()> {
        redis::cmd("ZREM")
            .arg(CLAIMED)
            .arg(member(job_id, leg_id))
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Removes a leg from the schedule and its claim.
    pub async fn unschedule(&self, job_id: &str, leg_id: &str) -> Result<()> {
        let m = member(job_id, leg_id);
        redis::pipe()
            .cmd("ZREM")
            .arg(DIAL)
            .arg(&m)
            .ignore()
            .cmd("ZREM")
            .arg(CLAIMED)
            .arg(&m)
            .ignore()
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// True when the leg is in the schedule or claimed.
    pub async fn is_scheduled(&self, job_id: &str, leg_id: &str) -> Result<bool> {
        let m = member(job_id, leg_id);
        let (a, b): (Option<f64>, Option<f64>) = redis::pipe()
            .cmd("ZSCORE")
            .arg(DIAL)
            .arg(&m)
            .cmd("ZSCORE")
            .arg(CLAIMED)
            .arg(&m)
            .query_async(&mut self.conn())
            .await?;
        Ok(a.is_some() || b.is_some())
    }

    /// Takes a call-out token for `user`: `0` = go, else ms to wait. Shared by every replica.
    pub async fn acquire_callout(
        &self,
        user: &str,
        now_ms: i64,
        window_ms: u64,
        limit: u32,
        token: &str,
    ) -> Result<u64> {
        Ok(RATE
            .key(format!("hh:ratelimit:callout:{user}"))
            .arg(now_ms)
            .arg(window_ms)
            .arg(limit)
            .arg(token)
            .invoke_async(&mut self.conn())
            .await?)
    }
}
