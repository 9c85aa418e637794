//! Call control: call-out, sessions and parties (SPEC section "Call Control"; paths under
//! `/restapi/v1.0/account/{accountId}/telephony/`).

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::model::session::{
    CallOutRequest, CallOutResponse, CallParty, CallSession, ForwardTarget, TransferTarget,
};
use crate::transport::ApiRequest;

impl Client {
    /// Starts a call: `POST …/telephony/call-out` (SPEC `createCallOutCallSession`, group
    /// Heavy: 10/min per user by default). The `from` device is rung first (auto-answer), then
    /// `to`. Returns the new session (the `{session}` wrapper of the 201 body is removed); its
    /// one party is the caller's, `Outbound`, usually `Setup`.
    ///
    /// Errors: 400 `CMN-101` (bad parameter, `parameter_name` set), 403 (missing CallControl
    /// permission), 429 → [`crate::Error::RateLimited`] when waiting would exceed the limit.
    pub async fn call_out(&self, request: &CallOutRequest) -> Result<CallSession> {
        let url = self.account_url(&["telephony", "call-out"])?;
        let request = ApiRequest::new(Method::POST, url).json(request)?;
        let response: CallOutResponse = self.execute_json(&request, "CallOutResponse").await?;
        Ok(response.session)
    }

    /// `GET …/telephony/sessions/{telephonySessionId}` (SPEC `readCallSessionStatus`, Light):
    /// the session with all parties. Errors: 404 for an unknown or finished session.
    pub async fn get_session(&self, telephony_session_id: &str) -> Result<CallSession> {
        let url = self.account_url(&["telephony", "sessions", telephony_session_id])?;
        self.execute_json(&ApiRequest::new(Method::GET, url), "CallSession")
            .await
    }

    /// Hangs up the whole session: `DELETE …/telephony/sessions/{id}` (SPEC
    /// `deleteCallSession`, Light, 204). Errors: 404 when the session is unknown or already
    /// gone ([`crate::Error::is_not_found`]).
    pub async fn delete_session(&self, telephony_session_id: &str) -> Result<()> {
        let url = self.account_url(&["telephony", "sessions", telephony_session_id])?;
        self.execute(&ApiRequest::new(Method::DELETE, url)).await?;
        Ok(())
    }

    /// `GET …/sessions/{id}/parties/{partyId}` (SPEC `readCallPartyStatus`, Light).
    pub async fn get_party(&self, telephony_session_id: &str, party_id: &str) -> Result<CallParty> {
        let url = self.party_url(telephony_session_id, party_id, None)?;
        self.execute_json(&ApiRequest::new(Method::GET, url), "CallParty")
            .await
    }

    /// Blind transfer of your own party: `POST …/parties/{partyId}/transfer` (SPEC
    /// `transferCallParty`, Light, 200). Works only in `Answered` or `Hold`; the returned party
    /// is usually `Disconnected` with reason `BlindTransfer`. Errors: 409 (`TAS-102` wrong
    /// state), 404.
    pub async fn transfer_party(
        &self,
        telephony_session_id: &str,
        party_id: &str,
        target: &TransferTarget,
    ) -> Result<CallParty> {
        let url = self.party_url(telephony_session_id, party_id, Some("transfer"))?;
        let request = ApiRequest::new(Method::POST, url).json(target)?;
        self.execute_json(&request, "CallParty").await
    }

    /// Puts a party on hold: `POST …/parties/{partyId}/hold` (SPEC `holdCallParty`, Light;
    /// no body, so `proto` defaults to `Auto`). Errors: 409 wrong state.
    pub async fn hold_party(
        &self,
        telephony_session_id: &str,
        party_id: &str,
    ) -> Result<CallParty> {
        let url = self.party_url(telephony_session_id, party_id, Some("hold"))?;
        self.execute_json(&ApiRequest::new(Method::POST, url), "CallParty")
            .await
    }

    /// Takes a party off hold: `POST …/parties/{partyId}/unhold` (SPEC, Light). Errors: 409.
    pub async fn unhold_party(
        &self,
        telephony_session_id: &str,
        party_id: &str,
    ) -> Result<CallParty> {
        let url = self.party_url(telephony_session_id, party_id, Some("unhold"))?;
        self.execute_json(&ApiRequest::new(Method::POST, url), "CallParty")
            .await
    }

    /// Forwards a not-yet-answered party: `POST …/parties/{partyId}/forward` (SPEC
    /// `forwardCallParty`, Light; only in `Setup` or `Proceeding`). Errors: 409 wrong state.
    pub async fn forward_party(
        &self,
        telephony_session_id: &str,
        party_id: &str,
        target: &ForwardTarget,
    ) -> Result<CallParty> {
        let url = self.party_url(telephony_session_id, party_id, Some("forward"))?;
        let request = ApiRequest::new(Method::POST, url).json(target)?;
        self.execute_json(&request, "CallParty").await
    }

    /// Rejects an inbound party in `Setup`/`Proceeding`: `POST …/parties/{partyId}/reject`
    /// (SPEC `rejectParty`, Light, 204). Errors: 409 wrong state.
    pub async fn reject_party(&self, telephony_session_id: &str, party_id: &str) -> Result<()> {
        let url = self.party_url(telephony_session_id, party_id, Some("reject"))?;
        self.execute(&ApiRequest::new(Method::POST, url)).await?;
        Ok(())
    }

    fn party_url(
        &self,
        telephony_session_id: &str,
        party_id: &str,
        action: Option<&str>,
    ) -> Result<url::Url> {
        let mut segments = vec![
            "telephony",
            "sessions",
            telephony_session_id,
            "parties",
            party_id,
        ];
        segments.extend(action);
        self.account_url(&segments)
    }
}
