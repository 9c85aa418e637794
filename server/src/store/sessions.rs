//! `telephonySessionId → (job, leg)` index and the parking lot for events that arrive before
//! the call-out response recorded the session id. Both keys of a session share the hash tag
//! `{<telephonySessionId>}`; lookup-or-park and bind-and-drain are single scripts, so an event
//! is either applied or replayed, never lost between the two.

use std::sync::LazyLock;

use redis::Script;

use super::Store;
use crate::error::Result;

/// Where a telephony session belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionLookup {
    /// Job id.
    pub job_id: String,
    /// Leg id.
    pub leg_id: String,
}

/// KEYS: leg key, parked key. ARGV: event bytes, parked ttl ms.
static LOOKUP_OR_PARK: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local owner = redis.call('GET', KEYS[1])
if owner then return owner end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return false
",
    )
});

/// KEYS: leg key, parked key. ARGV: owner, ttl s. Returns the parked events.
static BIND_AND_DRAIN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local parked = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[2])
return parked
",
    )
});

fn keys(session_id: &str) -> (String, String) {
    (
        format!("hh:sess:{{{session_id}}}:leg"),
        format!("hh:sess:{{{session_id}}}:parked"),
    )
}

fn parse_owner(owner: &str) -> Option<SessionLookup> {
    let (job_id, leg_id) = owner.split_once(' ')?;
    Some(SessionLookup {
        job_id: job_id.to_owned(),
        leg_id: leg_id.to_owned(),
    })
}

impl Store {
    /// The leg of a session, or `None` after parking `event` (encoded notification) for
    /// `engine.parked_event_ttl_ms`.
    pub async fn lookup_or_park(
        &self,
        session_id: &str,
        event: &[u8],
    ) -> Result<Option<SessionLookup>> {
        let (leg_k, parked_k) = keys(session_id);
        let owner: Option<String> = LOOKUP_OR_PARK
            .key(leg_k)
            .key(parked_k)
            .arg(event)
            .arg(self.parked_ttl_ms)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(owner.as_deref().and_then(parse_owner))
    }

    /// The leg of a session without parking anything.
    pub async fn lookup_session(&self, session_id: &str) -> Result<Option<SessionLookup>> {
        let (leg_k, _) = keys(session_id);
        let owner: Option<String> = redis::cmd("GET")
            .arg(leg_k)
            .query_async(&mut self.conn())
            .await?;
        Ok(owner.as_deref().and_then(parse_owner))
    }

    /// Records that `session_id` belongs to (job, leg); returns events parked for it.
    pub async fn bind_session(
        &self,
        session_id: &str,
        job_id: &str,
        leg_id: &str,
    ) -> Result<Vec<Vec<u8>>> {
        let (leg_k, parked_k) = keys(session_id);
        Ok(BIND_AND_DRAIN
            .key(leg_k)
            .key(parked_k)
            .arg(format!("{job_id} {leg_id}"))
            .arg(self.job_ttl_s)
            .invoke_async(&mut self.conn())
            .await?)
    }
}

impl Store {
    /// Remembers that an unbound session was seen calling out from `device_id` (a hold line),
    /// for adopting it if the call-out response was lost (crash during call-out).
    pub async fn note_unbound_device_session(
        &self,
        device_id: &str,
        session_id: &str,
    ) -> Result<()> {
        redis::cmd("SET")
            .arg(format!("hh:dev:{{{device_id}}}:unbound"))
            .arg(session_id)
            .arg("PX")
            .arg(self.parked_ttl_ms)
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// The unbound session last seen from `device_id`, if it is still unbound and parked.
    pub async fn unbound_session_of_device(&self, device_id: &str) -> Result<Option<String>> {
        let session: Option<String> = redis::cmd("GET")
            .arg(format!("hh:dev:{{{device_id}}}:unbound"))
            .query_async(&mut self.conn())
            .await?;
        let Some(session) = session else {
            return Ok(None);
        };
        Ok(match self.lookup_session(&session).await? {
            Some(_) => None,
            None => Some(session),
        })
    }

    /// The events parked for a session, without removing them.
    pub async fn parked_events(&self, session_id: &str) -> Result<Vec<Vec<u8>>> {
        let (_, parked_k) = keys(session_id);
        Ok(redis::cmd("LRANGE")
            .arg(parked_k)
            .arg(0)
            .arg(-1)
            .query_async(&mut self.conn())
            .await?)
    }
}
