//! The leg state machine: a pure function `(LegState, LegEvent) -> Transition` (decide, then
//! do). No I/O here; the executor (`engine::Engine`) performs the returned [`Action`]s.

use super::model::{DetectionPhase, EventKind, LegEndReason, LegState};

/// Which party of the telephony session a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyRole {
    /// Our party (`p-…-1`, Outbound, owned by the hold line's extension).
    Ours,
    /// The destination's party (Inbound, no extension id).
    Callee,
}

/// RingCentral party status codes the machine reacts to (SPEC `CallStatusInfo.code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyStatus {
    /// Setup.
    Setup,
    /// Proceeding (ringing).
    Proceeding,
    /// Answered.
    Answered,
    /// Hold.
    Hold,
    /// Disconnected.
    Disconnected,
    /// Gone (transferred out with a cross-call).
    Gone,
    /// Anything else (Parked, VoiceMail, ...).
    Other,
}

impl PartyStatus {
    /// Parses a `status.code`.
    pub fn parse(code: &str) -> PartyStatus {
        match code {
            "Setup" => PartyStatus::Setup,
            "Proceeding" => PartyStatus::Proceeding,
            "Answered" => PartyStatus::Answered,
            "Hold" => PartyStatus::Hold,
            "Disconnected" => PartyStatus::Disconnected,
            "Gone" => PartyStatus::Gone,
            _ => PartyStatus::Other,
        }
    }
}

/// Inputs of the machine.
#[derive(Debug, Clone, PartialEq)]
pub enum LegEvent {
    /// The leg's dial slot came (schedule claimed, rate limit passed).
    DialDue,
    /// Call-Out returned 201 (session and party ids are recorded by the executor).
    CallOutAccepted,
    /// Call-Out failed. `retry_after_ms` set: transient (429, 5xx), dial again later.
    CallOutFailed {
        /// RingCentral errorCode.
        error_code: Option<String>,
        /// Retry after this long, ms; `None` = permanent failure.
        retry_after_ms: Option<u64>,
    },
    /// A telephony notification (or reconciliation) about one party.
    Party {
        /// Which party.
        role: PartyRole,
        /// Its status code.
        status: PartyStatus,
        /// `status.reason`, e.g. `NoAnswer`, `TargetBusy`, `BlindTransfer`.
        reason: Option<String>,
    },
    /// No hold verdict came within `ivr_fallback_ms` of the answer.
    IvrFallbackElapsed,
    /// A detector verdict (or an operator's confirmation for `Live`).
    Detected(DetectionPhase),
    /// The winner script admitted this leg.
    WinnerAdmitted,
    /// The winner script refused (job satisfied or not hunting).
    WinnerRejected,
    /// RingCentral accepted the transfer.
    TransferSucceeded,
    /// The transfer failed; `session_gone` when the session no longer exists.
    TransferFailed {
        /// RingCentral errorCode.
        error_code: Option<String>,
        /// 404 on the session.
        session_gone: bool,
    },
    /// We hang the leg up (StopJob, HangupLeg, lost race).
    Hangup(LegEndReason),
    /// GET session answered 404.
    SessionGone,
    /// DIALING without a session for too long (crash during call-out): never re-dialed.
    DialOutcomeUnknown,
}

/// Effects to perform after the new state is durably recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// POST call-out from the leg's line to the destination.
    CallOut,
    /// Put the leg back in the dial schedule after this long, ms.
    Requeue(u64),
    /// Start listening to the leg's audio (media + detector).
    StartMedia,
    /// Stop listening.
    StopMedia,
    /// Run the winner script for this leg.
    RequestWinner,
    /// Give back this leg's winner slot.
    ReleaseWinner,
    /// Transfer our party to the job's call queue.
    Transfer,
    /// DELETE the telephony session (404 = already gone).
    HangUp,
    /// Free the leg's hold line.
    ReleaseLine,
    /// Count transfers; finish the job when satisfied.
    CountTransfer,
    /// Finish the job if every leg is terminal.
    CheckJob,
}

/// Output of [`step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The state after the event (may equal the input).
    pub next: LegState,
    /// Effects, in order.
    pub actions: Vec<Action>,
    /// Event kind published for this transition.
    pub kind: EventKind,
    /// Human-readable cause.
    pub message: String,
}

impl Transition {
    fn stay(state: LegState) -> Self {
        Transition {
            next: state,
            actions: Vec::new(),
            kind: EventKind::LegState,
            message: String::new(),
        }
    }

    fn to(next: LegState, actions: Vec<Action>, message: impl Into<String>) -> Self {
        Transition {
            next,
            actions,
            kind: EventKind::LegState,
            message: message.into(),
        }
    }

    fn kind(mut self, kind: EventKind) -> Self {
        self.kind = kind;
        self
    }
}

/// Effects of ending a leg that was in `from`.
fn end_actions(from: LegState, hang_up: bool) -> Vec<Action> {
    let mut actions = Vec::new();
    if from.is_connected() {
        actions.push(Action::StopMedia);
    }
    if from == LegState::Transferring {
        actions.push(Action::ReleaseWinner);
    }
    if hang_up && from != LegState::Queued {
        actions.push(Action::HangUp);
    }
    actions.push(Action::ReleaseLine);
    actions.push(Action::CheckJob);
    actions
}

fn end(from: LegState, reason: LegEndReason, hang_up: bool, message: String) -> Transition {
    Transition::to(LegState::Ended(reason), end_actions(from, hang_up), message)
}

/// The callee's `Disconnected` reason mapped to a leg end reason.
fn callee_end_reason(reason: Option<&str>) -> LegEndReason {
    match reason {
        Some("NoAnswer") | Some("Timeout") => LegEndReason::NoAnswer,
        Some("TargetBusy") => LegEndReason::Busy,
        Some("InvalidNumber")
        | Some("InternationalDisabled")
        | Some("DestinationBlocked")
        | Some("NotEnoughFunds")
        | Some("NoSuchUser")
        | Some("InternalError") => LegEndReason::ProviderError,
        _ => LegEndReason::RemoteHangup,
    }
}

/// The leg state machine. Pure: same input, same output.
pub fn step(state: LegState, event: &LegEvent) -> Transition {
    use LegState as S;
    if state.is_terminal() {
        return Transition::stay(state);
    }
    match (state, event) {
        (S::Queued, LegEvent::DialDue) => {
            Transition::to(S::Dialing, vec![Action::CallOut], "call-out requested")
        }
        (S::Dialing, LegEvent::CallOutAccepted) => Transition::stay(state),
        (
            S::Dialing,
            LegEvent::CallOutFailed {
                error_code,
                retry_after_ms,
            },
        ) => {
            let code = error_code.clone().unwrap_or_default();
            match retry_after_ms {
                Some(ms) => Transition::to(
                    S::Queued,
                    vec![Action::Requeue(*ms)],
                    format!("call-out failed {code}; dialing again in {ms} ms"),
                ),
                None => end(
                    state,
                    LegEndReason::ProviderError,
                    false,
                    format!("call-out rejected by RingCentral {code}"),
                ),
            }
        }
        (S::Dialing, LegEvent::DialOutcomeUnknown) => end(
            state,
            LegEndReason::Lost,
            false,
            "call-out outcome unknown (no telephony session recorded); not re-dialed".into(),
        ),
        (
            _,
            LegEvent::Party {
                role,
                status,
                reason,
            },
        ) => party(state, *role, *status, reason.as_deref()),
        (S::Ivr, LegEvent::IvrFallbackElapsed) => Transition::to(
            S::Hold,
            vec![],
            "no hold verdict within the IVR fallback; assuming hold",
        ),
        (S::Ivr, LegEvent::Detected(DetectionPhase::Hold)) => {
            Transition::to(S::Hold, vec![], "detector: hold")
        }
        (S::Ivr | S::Hold | S::Live, LegEvent::Detected(DetectionPhase::Live)) => Transition::to(
            S::Live,
            vec![Action::RequestWinner],
            "live human: competing for the transfer",
        ),
        (S::Ivr | S::Hold | S::NeedsHuman, LegEvent::Detected(DetectionPhase::NeedsHuman)) => {
            Transition::to(
                S::NeedsHuman,
                vec![Action::RequestWinner],
                "voice challenge a human must answer: competing for the transfer",
            )
        }
        (S::Live | S::NeedsHuman, LegEvent::WinnerAdmitted) => Transition::to(
            S::Transferring,
            vec![Action::Transfer],
            "won: transfer to the call queue requested",
        )
        .kind(EventKind::TransferRequested),
        (S::Transferring, LegEvent::TransferSucceeded) => Transition::to(
            S::Transferred,
            vec![
                Action::StopMedia,
                Action::ReleaseLine,
                Action::CountTransfer,
            ],
            "transferred to the call queue",
        )
        .kind(EventKind::TransferSucceeded),
        (
            S::Transferring,
            LegEvent::TransferFailed {
                error_code,
                session_gone,
            },
        ) => {
            let code = error_code.clone().unwrap_or_default();
            if *session_gone {
                end(
                    state,
                    LegEndReason::Lost,
                    false,
                    format!("transfer failed {code}: session gone"),
                )
                .kind(EventKind::TransferFailed)
            } else {
                Transition::to(
                    S::Hold,
                    vec![Action::ReleaseWinner],
                    format!("transfer failed {code}; slot released, leg back on hold"),
                )
                .kind(EventKind::TransferFailed)
            }
        }
        (_, LegEvent::Hangup(reason)) => end(state, *reason, true, format!("hung up: {reason:?}")),
        (S::Queued, LegEvent::SessionGone) => Transition::stay(state),
        (_, LegEvent::SessionGone) => end(
            state,
            LegEndReason::Lost,
            false,
            "telephony session vanished (GET session 404)".into(),
        ),
        _ => Transition::stay(state),
    }
}

fn party(
    state: LegState,
    role: PartyRole,
    status: PartyStatus,
    reason: Option<&str>,
) -> Transition {
    use LegState as S;
    match (role, status) {
        (PartyRole::Callee, PartyStatus::Proceeding | PartyStatus::Setup) => match state {
            S::Dialing => Transition::to(S::Ringing, vec![], "destination ringing"),
            _ => Transition::stay(state),
        },
        (PartyRole::Callee, PartyStatus::Answered) => match state {
            S::Dialing | S::Ringing => {
                Transition::to(S::Ivr, vec![Action::StartMedia], "destination answered")
            }
            _ => Transition::stay(state),
        },
        (PartyRole::Callee, PartyStatus::Disconnected | PartyStatus::Gone) => match state {
            // After the transfer the callee stays with the queue; its later events are not ours.
            S::Transferring | S::Queued => Transition::stay(state),
            _ => {
                let end_reason = callee_end_reason(reason);
                let why = reason.unwrap_or("hang-up");
                end(
                    state,
                    end_reason,
                    true,
                    format!("destination disconnected ({why})"),
                )
            }
        },
        (PartyRole::Ours, PartyStatus::Disconnected | PartyStatus::Gone) => match state {
            S::Transferring => Transition::to(
                S::Transferred,
                vec![
                    Action::StopMedia,
                    Action::ReleaseLine,
                    Action::CountTransfer,
                ],
                format!(
                    "our party left the session ({}) after the transfer",
                    reason.unwrap_or("no reason")
                ),
            )
            .kind(EventKind::TransferSucceeded),
            S::Queued => Transition::stay(state),
            _ => end(
                state,
                LegEndReason::RemoteHangup,
                true,
                format!("our party disconnected ({})", reason.unwrap_or("no reason")),
            ),
        },
        _ => Transition::stay(state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn callee(status: PartyStatus, reason: Option<&str>) -> LegEvent {
        LegEvent::Party {
            role: PartyRole::Callee,
            status,
            reason: reason.map(str::to_owned),
        }
    }

    fn ours(status: PartyStatus, reason: Option<&str>) -> LegEvent {
        LegEvent::Party {
            role: PartyRole::Ours,
            status,
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn happy_path_to_transferred() {
        let t = step(LegState::Queued, &LegEvent::DialDue);
        assert_eq!(t.next, LegState::Dialing);
        assert_eq!(t.actions, vec![Action::CallOut]);
        let t = step(t.next, &callee(PartyStatus::Proceeding, None));
        assert_eq!(t.next, LegState::Ringing);
        let t = step(t.next, &callee(PartyStatus::Answered, None));
        assert_eq!(t.next, LegState::Ivr);
        assert_eq!(t.actions, vec![Action::StartMedia]);
        let t = step(t.next, &LegEvent::IvrFallbackElapsed);
        assert_eq!(t.next, LegState::Hold);
        let t = step(t.next, &LegEvent::Detected(DetectionPhase::Live));
        assert_eq!(t.next, LegState::Live);
        assert_eq!(t.actions, vec![Action::RequestWinner]);
        let t = step(t.next, &LegEvent::WinnerAdmitted);
        assert_eq!(t.next, LegState::Transferring);
        assert_eq!(t.actions, vec![Action::Transfer]);
        assert_eq!(t.kind, EventKind::TransferRequested);
        let t = step(t.next, &LegEvent::TransferSucceeded);
        assert_eq!(t.next, LegState::Transferred);
        assert!(t.actions.contains(&Action::CountTransfer));
        assert!(t.actions.contains(&Action::ReleaseLine));
    }

    #[test]
    fn callee_reasons_map_to_end_reasons() {
        for (reason, expected) in [
            (Some("NoAnswer"), LegEndReason::NoAnswer),
            (Some("TargetBusy"), LegEndReason::Busy),
            (None, LegEndReason::RemoteHangup),
            (Some("InvalidNumber"), LegEndReason::ProviderError),
        ] {
            let t = step(
                LegState::Ringing,
                &callee(PartyStatus::Disconnected, reason),
            );
            assert_eq!(t.next, LegState::Ended(expected), "{reason:?}");
            assert!(t.actions.contains(&Action::ReleaseLine));
            assert!(t.actions.contains(&Action::CheckJob));
        }
        let t = step(LegState::Hold, &callee(PartyStatus::Disconnected, None));
        assert_eq!(t.next, LegState::Ended(LegEndReason::RemoteHangup));
        assert!(t.actions.contains(&Action::StopMedia));
    }

    #[test]
    fn our_party_leaving_after_transfer_is_transferred() {
        let t = step(
            LegState::Transferring,
            &ours(PartyStatus::Disconnected, Some("BlindTransfer")),
        );
        assert_eq!(t.next, LegState::Transferred);
        let t = step(LegState::Hold, &ours(PartyStatus::Disconnected, None));
        assert_eq!(t.next, LegState::Ended(LegEndReason::RemoteHangup));
    }

    #[test]
    fn callee_events_after_transfer_are_ignored() {
        let t = step(
            LegState::Transferring,
            &callee(PartyStatus::Disconnected, None),
        );
        assert_eq!(t.next, LegState::Transferring);
        assert!(t.actions.is_empty());
    }

    #[test]
    fn terminal_states_absorb_everything() {
        for state in [LegState::Transferred, LegState::Ended(LegEndReason::Lost)] {
            for event in [
                LegEvent::DialDue,
                LegEvent::Hangup(LegEndReason::Stopped),
                callee(PartyStatus::Answered, None),
                LegEvent::Detected(DetectionPhase::Live),
                LegEvent::WinnerAdmitted,
                LegEvent::SessionGone,
            ] {
                let t = step(state, &event);
                assert_eq!(t.next, state);
                assert!(t.actions.is_empty());
            }
        }
    }

    #[test]
    fn failed_transfer_releases_the_slot() {
        let t = step(
            LegState::Transferring,
            &LegEvent::TransferFailed {
                error_code: Some("TAS-102".into()),
                session_gone: false,
            },
        );
        assert_eq!(t.next, LegState::Hold);
        assert_eq!(t.actions, vec![Action::ReleaseWinner]);
        assert_eq!(t.kind, EventKind::TransferFailed);
        let t = step(
            LegState::Transferring,
            &LegEvent::TransferFailed {
                error_code: None,
                session_gone: true,
            },
        );
        assert_eq!(t.next, LegState::Ended(LegEndReason::Lost));
        assert!(t.actions.contains(&Action::ReleaseWinner));
    }

    #[test]
    fn retryable_callout_failure_requeues_permanent_one_ends() {
        let t = step(
            LegState::Dialing,
            &LegEvent::CallOutFailed {
                error_code: Some("CMN-301".into()),
                retry_after_ms: Some(5_000),
            },
        );
        assert_eq!(t.next, LegState::Queued);
        assert_eq!(t.actions, vec![Action::Requeue(5_000)]);
        let t = step(
            LegState::Dialing,
            &LegEvent::CallOutFailed {
                error_code: Some("CMN-101".into()),
                retry_after_ms: None,
            },
        );
        assert_eq!(t.next, LegState::Ended(LegEndReason::ProviderError));
        assert!(!t.actions.contains(&Action::HangUp));
    }

    #[test]
    fn hangup_of_queued_leg_makes_no_call() {
        let t = step(LegState::Queued, &LegEvent::Hangup(LegEndReason::Stopped));
        assert_eq!(t.next, LegState::Ended(LegEndReason::Stopped));
        assert!(!t.actions.contains(&Action::HangUp));
        let t = step(LegState::Hold, &LegEvent::Hangup(LegEndReason::LostRace));
        assert_eq!(t.next, LegState::Ended(LegEndReason::LostRace));
        assert!(t.actions.contains(&Action::HangUp));
    }

    #[test]
    fn live_needs_a_connected_leg() {
        for state in [LegState::Queued, LegState::Dialing, LegState::Ringing] {
            let t = step(state, &LegEvent::Detected(DetectionPhase::Live));
            assert_eq!(t.next, state);
        }
        let t = step(
            LegState::Ivr,
            &LegEvent::Detected(DetectionPhase::NeedsHuman),
        );
        assert_eq!(t.next, LegState::NeedsHuman);
        assert_eq!(t.actions, vec![Action::RequestWinner]);
    }

    #[test]
    fn orphan_dialing_ends_lost_without_redial() {
        let t = step(LegState::Dialing, &LegEvent::DialOutcomeUnknown);
        assert_eq!(t.next, LegState::Ended(LegEndReason::Lost));
        assert!(!t.actions.contains(&Action::CallOut));
        assert!(!t.actions.contains(&Action::HangUp));
    }
}
