//! Job and leg records, versions (compare-and-set), the per-job event stream and the winner
//! script.

use redis::Script;
use std::sync::LazyLock;

use super::{Store, job_key};
use crate::engine::model::{JobRecord, LegRecord, StreamEvent};
use crate::error::{Error, Result};

/// Result of a compare-and-set write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cas {
    /// Written; the stream id of the published event (empty when none was published).
    Written(String),
    /// Someone else wrote first; re-read and retry.
    Conflict,
}

/// Outcome of the winner script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WinnerOutcome {
    /// This leg now holds a winner slot.
    Admitted,
    /// This leg already held a slot (idempotent retry).
    AlreadyAdmitted,
    /// Every slot is taken.
    Satisfied,
    /// The job is no longer hunting.
    NotHunting,
}

/// A consistent view of one job: records, versions and the stream id current at read time.
#[derive(Debug, Clone)]
pub struct JobSnapshot {
    /// The job.
    pub job: JobRecord,
    /// Its version.
    pub job_version: u64,
    /// Legs in dial order with their versions.
    pub legs: Vec<(LegRecord, u64)>,
    /// Id of the newest event-stream entry (`0-0` when empty).
    pub last_event_id: String,
}

/// Compare-and-set of one record (`job` string or a field of the legs hash), its version,
/// an optional event (XADD MAXLEN ~) and TTL refresh, atomically.
/// KEYS: 1 container, 2 versions hash, 3 events stream, 4.. other per-job keys (TTL only).
/// ARGV: 1 "job"|"leg", 2 field, 3 expected version, 4 JSON, 5 event JSON or "", 6 maxlen,
/// 7 ttl s.
static CAS_SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local cur = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if cur ~= tonumber(ARGV[3]) then return false end
if ARGV[1] == 'job' then
  redis.call('SET', KEYS[1], ARGV[4])
else
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
end
redis.call('HSET', KEYS[2], ARGV[2], cur + 1)
local id = ''
if ARGV[5] ~= '' then
  id = redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], '*', 'e', ARGV[5])
end
for i = 1, #KEYS do redis.call('EXPIRE', KEYS[i], ARGV[7]) end
return id
",
    )
});

/// KEYS: job, legs, ver, events. Returns {job, legs flat, vers flat, last id} or false.
static LOAD_SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local job = redis.call('GET', KEYS[1])
if not job then return false end
local legs = redis.call('HGETALL', KEYS[2])
local vers = redis.call('HGETALL', KEYS[3])
local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)
local lastid = '0-0'
if #last > 0 then lastid = last[1][1] end
return {job, legs, vers, lastid}
",
    )
});

/// The winner script: admits at most `max_transfers` winners per job, only while HUNTING.
/// KEYS: 1 job, 2 winners set. ARGV: 1 leg id, 2 ttl s.
static WINNER_SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local raw = redis.call('GET', KEYS[1])
if not raw then return 'NOT_HUNTING' end
local job = cjson.decode(raw)
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 'ALREADY' end
if job.state ~= 'HUNTING' then return 'NOT_HUNTING' end
if redis.call('SCARD', KEYS[2]) >= tonumber(job.max_transfers) then return 'SATISFIED' end
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 'ADMITTED'
",
    )
});

impl Store {
    fn per_job_keys(job_id: &str) -> [String; 5] {
        [
            job_key(job_id, "job"),
            job_key(job_id, "legs"),
            job_key(job_id, "ver"),
            job_key(job_id, "events"),
            job_key(job_id, "winners"),
        ]
    }

    /// Creates a job and its legs (versions 1), indexes it as active, publishes `event`.
    pub async fn create_job(
        &self,
        job: &JobRecord,
        legs: &[LegRecord],
        event: &StreamEvent,
    ) -> Result<()> {
        let [job_k, legs_k, ver_k, events_k, _] = Self::per_job_keys(&job.job_id);
        let mut pipe = redis::pipe();
        pipe.atomic();
        pipe.cmd("SET")
            .arg(&job_k)
            .arg(serde_json::to_string(job)?)
            .ignore();
        pipe.cmd("HSET").arg(&ver_k).arg("job").arg(1).ignore();
        for leg in legs {
            pipe.cmd("HSET")
                .arg(&legs_k)
                .arg(&leg.leg_id)
                .arg(serde_json::to_string(leg)?)
                .ignore();
            pipe.cmd("HSET")
                .arg(&ver_k)
                .arg(&leg.leg_id)
                .arg(1)
                .ignore();
        }
        pipe.cmd("XADD")
            .arg(&events_k)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.stream_maxlen)
            .arg("*")
            .arg("e")
            .arg(serde_json::to_string(event)?)
            .ignore();
        for k in [&job_k, &legs_k, &ver_k, &events_k] {
            pipe.cmd("EXPIRE").arg(k).arg(self.job_ttl_s).ignore();
        }
        pipe.query_async::<()>(&mut self.conn()).await?;
        let mut idx = redis::pipe();
        idx.cmd("ZADD")
            .arg("hh:jobs:index")
            .arg(job.created_at_ms)
            .arg(&job.job_id)
            .ignore();
        idx.cmd("SADD")
            .arg("hh:jobs:active")
            .arg(&job.job_id)
            .ignore();
        idx.query_async::<()>(&mut self.conn()).await?;
        Ok(())
    }

    /// Job, legs, versions and the current stream id, read atomically. `None` when unknown or
    /// expired.
    pub async fn load_job(&self, job_id: &str) -> Result<Option<JobSnapshot>> {
        let [job_k, legs_k, ver_k, events_k, _] = Self::per_job_keys(job_id);
        let raw: Option<(String, Vec<String>, Vec<String>, String)> = LOAD_SCRIPT
            .key(&job_k)
            .key(&legs_k)
            .key(&ver_k)
            .key(&events_k)
            .invoke_async(&mut self.conn())
            .await?;
        let Some((job_json, legs_flat, vers_flat, last_event_id)) = raw else {
            return Ok(None);
        };
        let job: JobRecord = serde_json::from_str(&job_json)?;
        let versions: std::collections::HashMap<String, u64> = vers_flat
            .chunks(2)
            .filter_map(|kv| Some((kv[0].clone(), kv.get(1)?.parse().ok()?)))
            .collect();
        let mut legs = Vec::new();
        for kv in legs_flat.chunks(2) {
            if let Some(json) = kv.get(1) {
                let leg: LegRecord = serde_json::from_str(json)?;
                let v = versions.get(&leg.leg_id).copied().unwrap_or(0);
                legs.push((leg, v));
            }
        }
        legs.sort_by_key(|(l, _)| l.index);
        Ok(Some(JobSnapshot {
            job_version: versions.get("job").copied().unwrap_or(0),
            job,
            legs,
            last_event_id,
        }))
    }

    /// One leg with its version, and its job.
    pub async fn load_leg(
        &self,
        job_id: &str,
        leg_id: &str,
    ) -> Result<(JobRecord, LegRecord, u64)> {
        let [job_k, legs_k, ver_k, _, _] = Self::per_job_keys(job_id);
        let (job, leg, ver): (Option<String>, Option<String>, Option<u64>) = redis::pipe()
            .atomic()
            .cmd("GET")
            .arg(&job_k)
            .cmd("HGET")
            .arg(&legs_k)
            .arg(leg_id)
            .cmd("HGET")
            .arg(&ver_k)
            .arg(leg_id)
            .query_async(&mut self.conn())
            .await?;
        let job: JobRecord =
            serde_json::from_str(&job.ok_or_else(|| Error::JobNotFound(job_id.into()))?)?;
        let leg: LegRecord = serde_json::from_str(&leg.ok_or_else(|| Error::LegNotFound {
            job_id: job_id.into(),
            leg_id: leg_id.into(),
        })?)?;
        Ok((job, leg, ver.unwrap_or(0)))
    }

    /// Compare-and-set of a leg (and publish `event` atomically).
    pub async fn cas_leg(
        &self,
        job_id: &str,
        leg: &LegRecord,
        expected: u64,
        event: Option<&StreamEvent>,
    ) -> Result<Cas> {
        self.cas(
            job_id,
            "leg",
            &leg.leg_id,
            serde_json::to_string(leg)?,
            expected,
            event,
        )
        .await
    }

    /// Compare-and-set of a job (and publish `event` atomically).
    pub async fn cas_job(
        &self,
        job: &JobRecord,
        expected: u64,
        event: Option<&StreamEvent>,
    ) -> Result<Cas> {
        self.cas(
            &job.job_id,
            "job",
            "job",
            serde_json::to_string(job)?,
            expected,
            event,
        )
        .await
    }

    async fn cas(
        &self,
        job_id: &str,
        kind: &str,
        field: &str,
        json: String,
        expected: u64,
        event: Option<&StreamEvent>,
    ) -> Result<Cas> {
        let [job_k, legs_k, ver_k, events_k, winners_k] = Self::per_job_keys(job_id);
        let container = if kind == "job" { &job_k } else { &legs_k };
        let other = if kind == "job" { &legs_k } else { &job_k };
        let event_json = match event {
            Some(e) => serde_json::to_string(e)?,
            None => String::new(),
        };
        let id: Option<String> = CAS_SCRIPT
            .key(container)
            .key(&ver_k)
            .key(&events_k)
            .key(other)
            .key(&winners_k)
            .arg(kind)
            .arg(field)
            .arg(expected)
            .arg(json)
            .arg(event_json)
            .arg(self.stream_maxlen)
            .arg(self.job_ttl_s)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(match id {
            Some(id) => Cas::Written(id),
            None => Cas::Conflict,
        })
    }

    /// Appends an event to the job's stream; returns its id.
    pub async fn publish(&self, job_id: &str, event: &StreamEvent) -> Result<String> {
        let events_k = job_key(job_id, "events");
        let id: String = redis::cmd("XADD")
            .arg(&events_k)
            .arg("MAXLEN")
            .arg("~")
            .arg(self.stream_maxlen)
            .arg("*")
            .arg("e")
            .arg(serde_json::to_string(event)?)
            .query_async(&mut self.conn())
            .await?;
        Ok(id)
    }

    /// Runs the winner script for `leg_id`.
    pub async fn admit_winner(&self, job_id: &str, leg_id: &str) -> Result<WinnerOutcome> {
        let out: String = WINNER_SCRIPT
            .key(job_key(job_id, "job"))
            .key(job_key(job_id, "winners"))
            .arg(leg_id)
            .arg(self.job_ttl_s)
            .invoke_async(&mut self.conn())
            .await?;
        Ok(match out.as_str() {
            "ADMITTED" => WinnerOutcome::Admitted,
            "ALREADY" => WinnerOutcome::AlreadyAdmitted,
            "SATISFIED" => WinnerOutcome::Satisfied,
            _ => WinnerOutcome::NotHunting,
        })
    }

    /// Gives back `leg_id`'s winner slot (after a failed transfer).
    pub async fn release_winner(&self, job_id: &str, leg_id: &str) -> Result<()> {
        redis::cmd("SREM")
            .arg(job_key(job_id, "winners"))
            .arg(leg_id)
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Ids of jobs still marked active.
    pub async fn active_jobs(&self) -> Result<Vec<String>> {
        Ok(redis::cmd("SMEMBERS")
            .arg("hh:jobs:active")
            .query_async(&mut self.conn())
            .await?)
    }

    /// Removes the job from the active set and writes its compact summary (30 days).
    pub async fn retire_job(&self, job: &JobRecord) -> Result<()> {
        redis::pipe()
            .cmd("SREM")
            .arg("hh:jobs:active")
            .arg(&job.job_id)
            .ignore()
            .cmd("SET")
            .arg(format!("hh:summary:{}", job.job_id))
            .arg(serde_json::to_string(job)?)
            .arg("EX")
            .arg(self.summary_ttl_s)
            .ignore()
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// The compact summary of a finished job whose full record expired.
    pub async fn job_summary(&self, job_id: &str) -> Result<Option<JobRecord>> {
        let raw: Option<String> = redis::cmd("GET")
            .arg(format!("hh:summary:{job_id}"))
            .query_async(&mut self.conn())
            .await?;
        Ok(match raw {
            Some(r) => Some(serde_json::from_str(&r)?),
            None => None,
        })
    }

    /// Job ids newest first: `(ids, next offset)` from `offset`.
    pub async fn list_job_ids(&self, offset: u64, count: u64) -> Result<Vec<String>> {
        Ok(redis::cmd("ZREVRANGE")
            .arg("hh:jobs:index")
            .arg(offset)
            .arg(offset + count - 1)
            .query_async(&mut self.conn())
            .await?)
    }

    /// Drops index entries whose job and summary both expired.
    pub async fn unindex_job(&self, job_id: &str) -> Result<()> {
        redis::cmd("ZREM")
            .arg("hh:jobs:index")
            .arg(job_id)
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// The job a StartJob request id created, or records `job_id` for it (first writer wins).
    /// Returns the job id that owns the request id.
    pub async fn claim_request_id(&self, request_id: &str, job_id: &str) -> Result<String> {
        let key = format!("hh:request:{request_id}");
        let set: bool = redis::cmd("SET")
            .arg(&key)
            .arg(job_id)
            .arg("NX")
            .arg("EX")
            .arg(self.job_ttl_s)
            .query_async::<Option<String>>(&mut self.conn())
            .await?
            .is_some();
        if set {
            return Ok(job_id.to_owned());
        }
        let owner: Option<String> = redis::cmd("GET")
            .arg(&key)
            .query_async(&mut self.conn())
            .await?;
        Ok(owner.unwrap_or_else(|| job_id.to_owned()))
    }

    /// Forgets a request id (StartJob failed after claiming it).
    pub async fn forget_request_id(&self, request_id: &str) -> Result<()> {
        redis::cmd("DEL")
            .arg(format!("hh:request:{request_id}"))
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }

    /// Events after `after_id` (exclusive), up to `count`, blocking up to `block_ms` on the
    /// given dedicated connection when none are there yet.
    pub async fn read_events(
        conn: &mut redis::aio::MultiplexedConnection,
        job_id: &str,
        after_id: &str,
        block_ms: u64,
        count: usize,
    ) -> Result<Vec<(String, StreamEvent)>> {
        let reply: Option<redis::streams::StreamReadReply> = redis::cmd("XREAD")
            .arg("COUNT")
            .arg(count)
            .arg("BLOCK")
            .arg(block_ms)
            .arg("STREAMS")
            .arg(job_key(job_id, "events"))
            .arg(after_id)
            .query_async(conn)
            .await?;
        let mut out = Vec::new();
        for key in reply.map(|r| r.keys).unwrap_or_default() {
            for entry in key.ids {
                if let Some(redis::Value::BulkString(bytes)) = entry.map.get("e") {
                    let event: StreamEvent = serde_json::from_slice(bytes)?;
                    out.push((entry.id.clone(), event));
                }
            }
        }
        Ok(out)
    }

    /// Id of the oldest retained event (`None` when the stream is empty or gone).
    pub async fn first_event_id(&self, job_id: &str) -> Result<Option<String>> {
        let reply: redis::streams::StreamRangeReply = redis::cmd("XRANGE")
            .arg(job_key(job_id, "events"))
            .arg("-")
            .arg("+")
            .arg("COUNT")
            .arg(1)
            .query_async(&mut self.conn())
            .await?;
        Ok(reply.ids.into_iter().next().map(|e| e.id))
    }
}

impl Store {
    /// Removes a job id from the active set (its records expired).
    pub async fn retire_job_id(&self, job_id: &str) -> Result<()> {
        redis::cmd("SREM")
            .arg("hh:jobs:active")
            .arg(job_id)
            .query_async::<()>(&mut self.conn())
            .await?;
        Ok(())
    }
}
