//! Protobuf messages as JSON for `-o json`: lowerCamelCase field names, enum values by their
//! full proto names (e.g. `"JOB_STATE_HUNTING"`), timestamps as RFC 3339 strings, durations as
//! `"7200s"` (the proto3 JSON mapping), every field present (defaults included) so scripts can
//! rely on the shape. Deviation from the proto3 mapping: 64-bit integers are JSON numbers.
//! prost types do not derive serde, so each message is converted here by hand.

use holdhunter_proto::v1 as pb;
use serde_json::{Value, json};

/// RFC 3339 text of a protobuf timestamp; `null` when unset.
pub fn timestamp(ts: Option<&prost_types::Timestamp>) -> Value {
    match ts.and_then(to_jiff) {
        Some(t) => Value::String(t.to_string()),
        None => Value::Null,
    }
}

/// Converts a protobuf timestamp to a [`jiff::Timestamp`].
pub fn to_jiff(ts: &prost_types::Timestamp) -> Option<jiff::Timestamp> {
    jiff::Timestamp::new(ts.seconds, ts.nanos).ok()
}

/// `"<seconds>s"` with up to 9 fractional digits; `null` when unset.
pub fn duration(d: Option<&prost_types::Duration>) -> Value {
    match d {
        None => Value::Null,
        Some(d) if d.nanos == 0 => Value::String(format!("{}s", d.seconds)),
        Some(d) => {
            let frac = format!("{:09}", d.nanos.unsigned_abs());
            Value::String(format!("{}.{}s", d.seconds, frac.trim_end_matches('0')))
        }
    }
}

fn enum_name<E: TryFrom<i32>>(value: i32, name: impl Fn(E) -> &'static str) -> Value {
    match E::try_from(value) {
        Ok(e) => Value::String(name(e).to_string()),
        Err(_) => Value::from(value),
    }
}

/// A `Job` (legs included).
pub fn job(job: &pb::Job) -> Value {
    json!({
        "jobId": job.job_id,
        "state": enum_name(job.state, |e: pb::JobState| e.as_str_name()),
        "endCause": enum_name(job.end_cause, |e: pb::JobEndCause| e.as_str_name()),
        "destinationId": job.destination_id,
        "destinationNumber": job.destination_number,
        "queueId": job.queue_id,
        "lineCount": job.line_count,
        "maxTransfers": job.max_transfers,
        "transfers": job.transfers,
        "maxDuration": duration(job.max_duration.as_ref()),
        "createdAt": timestamp(job.created_at.as_ref()),
        "updatedAt": timestamp(job.updated_at.as_ref()),
        "endedAt": timestamp(job.ended_at.as_ref()),
        "legs": job.legs.iter().map(leg).collect::<Vec<_>>(),
        "winnerLegIds": job.winner_leg_ids,
        "pool": job.pool,
        "statusMessage": job.status_message,
    })
}

/// A `Leg`.
pub fn leg(leg: &pb::Leg) -> Value {
    json!({
        "legId": leg.leg_id,
        "index": leg.index,
        "state": enum_name(leg.state, |e: pb::LegState| e.as_str_name()),
        "stateSince": timestamp(leg.state_since.as_ref()),
        "lineId": leg.line_id,
        "extensionId": leg.extension_id,
        "extensionNumber": leg.extension_number,
        "telephonySessionId": leg.telephony_session_id,
        "partyId": leg.party_id,
        "holdStartedAt": timestamp(leg.hold_started_at.as_ref()),
        "holdMs": leg.hold_ms,
        "detection": leg.detection.as_ref().map(detection).unwrap_or(Value::Null),
        "endReason": enum_name(leg.end_reason, |e: pb::LegEndReason| e.as_str_name()),
        "providerErrorCode": leg.provider_error_code,
        "winner": leg.winner,
        "ivrStep": leg.ivr_step,
        "partyStatus": leg.party_status,
    })
}

/// A `Detection`. Confidence is rounded to 3 decimals (it is an f32 on the wire).
pub fn detection(d: &pb::Detection) -> Value {
    json!({
        "phase": enum_name(d.phase, |e: pb::DetectionPhase| e.as_str_name()),
        "confidence": (f64::from(d.confidence) * 1000.0).round() / 1000.0,
        "cause": d.cause,
        "detail": d.detail,
        "mediaMs": d.media_ms,
        "source": enum_name(d.source, |e: pb::DetectionSource| e.as_str_name()),
    })
}

/// A `JobEvent`.
pub fn job_event(e: &pb::JobEvent) -> Value {
    json!({
        "kind": enum_name(e.kind, |k: pb::JobEventKind| k.as_str_name()),
        "time": timestamp(e.time.as_ref()),
        "legId": e.leg_id,
        "leg": e.leg.as_ref().map(leg).unwrap_or(Value::Null),
        "jobState": enum_name(e.job_state, |s: pb::JobState| s.as_str_name()),
        "message": e.message,
        "transfers": e.transfers,
    })
}

/// A `WatchJobResponse`: `{"resumeToken", "snapshot"}` or `{"resumeToken", "event"}`.
pub fn watch_response(r: &pb::WatchJobResponse) -> Value {
    use pb::watch_job_response::Payload;
    match &r.payload {
        Some(Payload::Snapshot(j)) => json!({"resumeToken": r.resume_token, "snapshot": job(j)}),
        Some(Payload::Event(e)) => json!({"resumeToken": r.resume_token, "event": job_event(e)}),
        None => json!({"resumeToken": r.resume_token}),
    }
}

/// A `Line`.
pub fn line(l: &pb::Line) -> Value {
    json!({
        "lineId": l.line_id,
        "extensionId": l.extension_id,
        "extensionNumber": l.extension_number,
        "name": l.name,
        "deviceName": l.device_name,
        "deviceType": l.device_type,
        "deviceStatus": enum_name(l.device_status, |e: pb::DeviceStatus| e.as_str_name()),
        "phoneNumber": l.phone_number,
        "enabled": l.enabled,
        "pool": l.pool,
        "inUseByJobId": l.in_use_by_job_id,
        "syncedAt": timestamp(l.synced_at.as_ref()),
    })
}

/// A `CallQueue`.
pub fn queue(q: &pb::CallQueue) -> Value {
    json!({
        "queueId": q.queue_id,
        "extensionNumber": q.extension_number,
        "name": q.name,
        "status": q.status,
        "isDefault": q.is_default,
        "syncedAt": timestamp(q.synced_at.as_ref()),
    })
}

/// A `Destination`.
pub fn destination(d: &pb::Destination) -> Value {
    let steps: Vec<Value> = d
        .ivr_plan
        .as_ref()
        .map(|p| {
            p.steps
                .iter()
                .map(|s| {
                    json!({"prompt": s.prompt, "expect": s.expect, "digits": s.digits,
                           "fallbackMs": s.fallback_ms})
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "destinationId": d.destination_id,
        "name": d.name,
        "phoneNumber": d.phone_number,
        "timeZone": d.time_zone,
        "businessHours": d.business_hours.iter().map(|h| json!({
            "weekdays": h.weekdays, "openMinute": h.open_minute, "closeMinute": h.close_minute,
        })).collect::<Vec<_>>(),
        "closedOnUsFederalHolidays": d.closed_on_us_federal_holidays,
        "ivrPlan": {"steps": steps},
        "preset": d.preset,
        "notes": d.notes,
        "openNow": d.open_now,
    })
}

/// A RingCentral `Subscription`.
pub fn subscription(s: &pb::Subscription) -> Value {
    json!({
        "subscriptionId": s.subscription_id,
        "status": s.status,
        "eventFilters": s.event_filters,
        "address": s.address,
        "expiresAt": timestamp(s.expires_at.as_ref()),
        "blacklistedReason": s.blacklisted_reason,
    })
}

/// A `CheckRingCentralResponse`.
pub fn rc_check(c: &pb::CheckRingCentralResponse) -> Value {
    json!({
        "serverUrl": c.server_url,
        "authenticated": c.authenticated,
        "authError": c.auth_error,
        "subscription": c.subscription.as_ref().map(subscription).unwrap_or(Value::Null),
        "rateLimits": c.rate_limits.iter().map(|g| json!({
            "group": g.group, "limit": g.limit, "remaining": g.remaining, "windowS": g.window_s,
        })).collect::<Vec<_>>(),
    })
}

/// A RingCentral `Extension`.
pub fn extension(e: &pb::Extension) -> Value {
    json!({
        "extensionId": e.extension_id,
        "extensionNumber": e.extension_number,
        "name": e.name,
        "type": e.r#type,
        "status": e.status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_json_uses_proto_names_and_rfc3339() {
        let j = pb::Job {
            job_id: "job_1".into(),
            state: pb::JobState::Hunting as i32,
            max_duration: Some(prost_types::Duration {
                seconds: 7200,
                nanos: 0,
            }),
            created_at: Some(prost_types::Timestamp {
                seconds: 0,
                nanos: 0,
            }),
            legs: vec![pb::Leg {
                leg_id: "leg-1".into(),
                state: pb::LegState::Hold as i32,
                detection: Some(pb::Detection {
                    confidence: 0.93,
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        };
        let v = job(&j);
        assert_eq!(v["state"], "JOB_STATE_HUNTING");
        assert_eq!(v["maxDuration"], "7200s");
        assert_eq!(v["createdAt"], "1970-01-01T00:00:00Z");
        assert_eq!(v["endedAt"], Value::Null);
        assert_eq!(v["legs"][0]["state"], "LEG_STATE_HOLD");
        assert_eq!(v["legs"][0]["detection"]["confidence"], 0.93);
    }

    #[test]
    fn fractional_duration() {
        let d = prost_types::Duration {
            seconds: 1,
            nanos: 500_000_000,
        };
        assert_eq!(duration(Some(&d)), "1.5s");
    }
}
