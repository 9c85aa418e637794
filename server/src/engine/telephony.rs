//! Telephony events (from ingest) and reconciliation (`GET session`) → leg events.

use holdhunter_proto::v1::TelephonySessionEvent;
use prost::Message;

use super::machine::{LegEvent, PartyRole, PartyStatus};
use super::model::{LegRecord, LegState, now_ms};
use super::{Engine, LegInput, LegPatch};
use crate::error::Result;

/// Outcome of ingesting one notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    /// Applied (or ignored as stale / duplicate).
    Applied,
    /// No leg known for the session yet: parked for replay.
    Parked,
}

/// Our party or the callee, from a party's owner.
fn role_of(leg: &LegRecord, party_id: &str, extension_id: &str) -> Option<PartyRole> {
    if leg.party_id.as_deref() == Some(party_id)
        || (!extension_id.is_empty() && extension_id == leg.extension_id)
    {
        Some(PartyRole::Ours)
    } else if extension_id.is_empty() {
        Some(PartyRole::Callee)
    } else {
        // Another extension (e.g. a queue agent after the transfer): not this leg's business.
        None
    }
}

fn party_label(role: PartyRole, code: &str, reason: &str) -> String {
    let who = match role {
        PartyRole::Ours => "ours",
        PartyRole::Callee => "callee",
    };
    if reason.is_empty() {
        format!("{who}: {code}")
    } else {
        format!("{who}: {code}/{reason}")
    }
}

impl Engine {
    /// Applies one telephony notification (ordered by `body.sequence` per session; stale and
    /// duplicate ones are dropped) or parks it when its session is not known yet.
    pub async fn ingest_one(&self, event: &TelephonySessionEvent) -> Result<Ingested> {
        let Some(owner) = self
            .store()
            .lookup_or_park(&event.telephony_session_id, &event.encode_to_vec())
            .await?
        else {
            tracing::debug!(session = %event.telephony_session_id, seq = event.sequence, "event parked");
            for p in &event.parties {
                if !p.from_device_id.is_empty() && !p.extension_id.is_empty() {
                    self.store()
                        .note_unbound_device_session(&p.from_device_id, &event.telephony_session_id)
                        .await?;
                }
            }
            return Ok(Ingested::Parked);
        };
        let (_, leg, _) = self.store().load_leg(&owner.job_id, &owner.leg_id).await?;
        let mut events = Vec::new();
        let mut label = None;
        for p in &event.parties {
            if let Some(role) = role_of(&leg, &p.party_id, &p.extension_id) {
                events.push(LegEvent::Party {
                    role,
                    status: PartyStatus::parse(&p.status_code),
                    reason: (!p.status_reason.is_empty()).then(|| p.status_reason.clone()),
                });
                label = Some(party_label(role, &p.status_code, &p.status_reason));
            }
        }
        let input = LegInput {
            events,
            sequence: (event.sequence > 0).then_some(event.sequence),
            patch: LegPatch {
                party_status: label,
                ..LegPatch::default()
            },
        };
        self.apply(&owner.job_id, &owner.leg_id, &input).await?;
        Ok(Ingested::Applied)
    }

    /// A DIALING leg without a session (its call-out response was lost, e.g. the server died
    /// during call-out) adopts the unbound session last seen calling out from its hold line,
    /// so the call is supervised (and hung up or transferred) instead of left running.
    /// Returns true when a session was adopted.
    pub async fn adopt_orphan_session(&self, job_id: &str, leg: &LegRecord) -> Result<bool> {
        let Some(session_id) = self.store().unbound_session_of_device(&leg.line_id).await? else {
            return Ok(false);
        };
        let parked = self.store().parked_events(&session_id).await?;
        let party_id = parked
            .iter()
            .filter_map(|b| TelephonySessionEvent::decode(b.as_slice()).ok())
            .flat_map(|e| e.parties)
            .find(|p| p.from_device_id == leg.line_id && p.extension_id == leg.extension_id)
            .map(|p| p.party_id)
            .unwrap_or_default();
        tracing::warn!(job_id, leg_id = %leg.leg_id, session = %session_id, "adopting the session of a call-out whose response was lost");
        let parked = self
            .store()
            .bind_session(&session_id, job_id, &leg.leg_id)
            .await?;
        let input = LegInput::event(LegEvent::CallOutAccepted).with_patch(LegPatch {
            session: Some((session_id, party_id)),
            ..LegPatch::default()
        });
        self.apply(job_id, &leg.leg_id, &input).await?;
        for bytes in parked {
            if let Ok(event) = TelephonySessionEvent::decode(bytes.as_slice()) {
                self.ingest_one(&event).await?;
            }
        }
        Ok(true)
    }

    /// Checks one leg against `GET session`: applies the parties' current statuses, ends it
    /// LOST on 404, and re-issues a transfer whose outcome is unknown.
    pub async fn reconcile_leg(&self, job_id: &str, leg: &LegRecord) -> Result<()> {
        let Some(session_id) = &leg.telephony_session_id else {
            return Ok(());
        };
        match self.rc().get_session(session_id).await {
            Ok(session) => {
                let mut events = Vec::new();
                let mut our_status = None;
                for p in &session.parties {
                    let ext = p.extension_id.clone().unwrap_or_default();
                    if let Some(role) = role_of(leg, &p.id, &ext) {
                        let code = super::status_code_name(&p.status.code);
                        if role == PartyRole::Ours {
                            our_status = Some(PartyStatus::parse(&code));
                        }
                        events.push(LegEvent::Party {
                            role,
                            status: PartyStatus::parse(&code),
                            reason: p.status.reason.clone(),
                        });
                    }
                }
                // Callee first, then ours: an answered callee moves the leg before our party's
                // status is looked at.
                events.sort_by_key(|e| match e {
                    LegEvent::Party {
                        role: PartyRole::Callee,
                        ..
                    } => 0,
                    _ => 1,
                });
                let after = self
                    .apply(
                        job_id,
                        &leg.leg_id,
                        &LegInput {
                            events,
                            ..LegInput::default()
                        },
                    )
                    .await?;
                if after.state == LegState::Transferring
                    && now_ms() - after.state_since_ms >= self.config().transfer_recheck_ms as i64
                    && matches!(our_status, Some(PartyStatus::Answered | PartyStatus::Hold))
                {
                    tracing::warn!(job_id, leg_id = %leg.leg_id, "transfer outcome unknown and our party still connected: transferring again");
                    let (job, fresh, _) = self.store().load_leg(job_id, &leg.leg_id).await?;
                    self.clone()
                        .run_actions(job, fresh, vec![super::machine::Action::Transfer])
                        .await;
                }
                Ok(())
            }
            Err(e) if e.is_not_found() => {
                self.apply(job_id, &leg.leg_id, &LegInput::event(LegEvent::SessionGone))
                    .await?;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(job_id, leg_id = %leg.leg_id, error = %e, "reconciliation: GET session failed");
                Ok(())
            }
        }
    }
}
