//! Hold lines (one per RingCentral device of a User extension) and their reservations.
//! A line is never in two jobs: reservations are made and released by Lua scripts on the
//! `hh:{lines}:owner` hash.

use std::collections::HashMap;
use std::sync::LazyLock;

use redis::Script;
use serde::{Deserialize, Serialize};

use super::Store;
use crate::error::{Error, Result};

const DATA: &str = "hh:{lines}:data";
const OWNER: &str = "hh:{lines}:owner";

/// One hold line as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineRecord {
    /// RingCentral device id (Call-Out `from.deviceId`).
    pub line_id: String,
    /// Extension id.
    pub extension_id: String,
    /// Extension number.
    pub extension_number: String,
    /// Extension name.
    pub name: String,
    /// Device name.
    pub device_name: String,
    /// Device type, e.g. `OtherPhone`.
    pub device_type: String,
    /// `Online`, `Offline` or `Missing` (not seen in the last sync).
    pub device_status: String,
    /// Direct number, E.164.
    pub phone_number: String,
    /// Disabled lines are never dialed.
    pub enabled: bool,
    /// Pool name, empty for none.
    pub pool: String,
    /// Last sync, epoch ms.
    pub synced_at_ms: i64,
}

/// How StartJob picks lines.
#[derive(Debug, Clone)]
pub enum Reservation {
    /// Exactly these line ids; all must be free.
    Exact(Vec<String>),
    /// The first `count` free lines among these candidates (in order).
    AnyOf {
        /// Candidate ids (enabled, online, in the pool).
        candidates: Vec<String>,
        /// Lines wanted.
        count: u32,
    },
}

/// ARGV: 1 job id, 2 mode ("exact"|"any"), 3 count, 4.. line ids.
/// Returns {"OK", ids...} | {"IN_USE", line, owner} | {"UNAVAILABLE", free count}.
static RESERVE_SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local job = ARGV[1]
local mode = ARGV[2]
local count = tonumber(ARGV[3])
if mode == 'exact' then
  for i = 4, #ARGV do
    local owner = redis.call('HGET', KEYS[1], ARGV[i])
    if owner and owner ~= job then return {'IN_USE', ARGV[i], owner} end
  end
  for i = 4, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], job) end
  local out = {'OK'}
  for i = 4, #ARGV do table.insert(out, ARGV[i]) end
  return out
end
local free = {}
for i = 4, #ARGV do
  if not redis.call('HGET', KEYS[1], ARGV[i]) then table.insert(free, ARGV[i]) end
end
if #free < count then return {'UNAVAILABLE', tostring(#free)} end
local out = {'OK'}
for i = 1, count do
  redis.call('HSET', KEYS[1], free[i], job)
  table.insert(out, free[i])
end
return out
",
    )
});

/// KEYS: owner hash. ARGV: job id, line ids... (empty list: every line of the job).
static RELEASE_SCRIPT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local job = ARGV[1]
local n = 0
if #ARGV == 1 then
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    if all[i + 1] == job then redis.call('HDEL', KEYS[1], all[i]); n = n + 1 end
  end
  return n
end
for i = 2, #ARGV do
  if redis.call('HGET', KEYS[1], ARGV[i]) == job then
    redis.call('HDEL', KEYS[1], ARGV[i]); n = n + 1
  end
end
return n
",
    )
});

impl Store {
    /// Every line with the job using it (if any), ordered by extension number then id.
    pub async fn lines(&self) -> Result<Vec<(LineRecord, Option<String>)>> {
        let (data, owners): (HashMap<String, String>, HashMap<String, String>) = redis::pipe()
            .cmd("HGETALL")
            .arg(DATA)
            .cmd("HGETALL")
            .arg(OWNER)
            .query_async(&mut self.conn())
            .await?;
        let mut out = Vec::with_capacity(data.len());
        for json in data.values() {
            let line: LineRecord = serde_json::from_str(json)?;
            let owner = owners.get(&line.line_id).cloned();
            out.push((line, owner));
        }
        out.sort_by(|(a, _), (b, _)| {
            (a.extension_number.as_str(), a.line_id.as_str())
                .cmp(&(b.extension_number.as_str(), b.line_id.as_str()))
        });
        Ok(out)
    }

    /// Writes lines (upsert by id).
    pub async fn put_lines(&self, lines: &[LineRecord]) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("HSET");
        cmd.arg(DATA);
        for line in lines {
            cmd.arg(&line.line_id).arg(serde_json::to_string(line)?);
        }
        cmd.query_async::<()>(&mut self.conn()).await?;
        Ok(())
    }

    /// Reserves lines for `job_id` atomically; returns the reserved ids in order.
    /// Errors: [`Error::LineInUse`], [`Error::LinesUnavailable`].
    pub async fn reserve_lines(&self, job_id: &str, how: &Reservation) -> Result<Vec<String>> {
        let mut inv = RESERVE_SCRIPT.key(OWNER);
        inv.arg(job_id);
        let requested = match how {
            Reservation::Exact(ids) => {
                inv.arg("exact").arg(ids.len());
                for id in ids {
                    inv.arg(id);
                }
                ids.len() as u32
            }
            Reservation::AnyOf { candidates, count } => {
                inv.arg("any").arg(*count);
                for id in candidates {
                    inv.arg(id);
                }
                *count
            }
        };
        let out: Vec<String> = inv.invoke_async(&mut self.conn()).await?;
        match out.first().map(String::as_str) {
            Some("OK") => Ok(out[1..].to_vec()),
            Some("IN_USE") => Err(Error::LineInUse {
                line_id: out.get(1).cloned().unwrap_or_default(),
                why: format!("in use by job {}", out.get(2).cloned().unwrap_or_default()),
            }),
            _ => Err(Error::LinesUnavailable {
                requested,
                available: out.get(1).and_then(|n| n.parse().ok()).unwrap_or(0),
            }),
        }
    }

    /// Frees `line_ids` if `job_id` holds them; an empty slice frees every line of the job.
    pub async fn release_lines(&self, job_id: &str, line_ids: &[String]) -> Result<u32> {
        let mut inv = RELEASE_SCRIPT.key(OWNER);
        inv.arg(job_id);
        for id in line_ids {
            inv.arg(id);
        }
        Ok(inv.invoke_async(&mut self.conn()).await?)
    }
}
