//! Webhook subscriptions: create, list, get, renew, update, delete (SPEC `createSubscription`
//! and friends, paths under `/restapi/v1.0/subscription`).

use reqwest::Method;

use crate::client::Client;
use crate::error::Result;
use crate::model::subscription::{
    CreateSubscriptionRequest, SubscriptionInfo, SubscriptionList, UpdateSubscriptionRequest,
};
use crate::transport::ApiRequest;

impl Client {
    /// `POST /restapi/v1.0/subscription` (Medium, 200). RingCentral first POSTs an empty body
    /// with a `Validation-Token` header to the webhook address and creates the subscription
    /// only if it is echoed within 3000 ms. Errors: 400 `SUB-508` invalid filters, 403
    /// `SUB-505` limit of 30 exceeded, `SUB-525` webhook validation failed.
    pub async fn create_subscription(
        &self,
        request: &CreateSubscriptionRequest,
    ) -> Result<SubscriptionInfo> {
        let url = self.api_url(&["subscription"])?;
        let request = ApiRequest::new(Method::POST, url).json(request)?;
        self.execute_json(&request, "SubscriptionInfo").await
    }

    /// `GET /restapi/v1.0/subscription` (Light): all subscriptions of this app and extension
    /// (≤ 30, not paged).
    pub async fn list_subscriptions(&self) -> Result<Vec<SubscriptionInfo>> {
        let url = self.api_url(&["subscription"])?;
        let list: SubscriptionList = self
            .execute_json(&ApiRequest::new(Method::GET, url), "SubscriptionList")
            .await?;
        Ok(list.records)
    }

    /// `GET /restapi/v1.0/subscription/{id}` (Light). Errors: 404 unknown.
    pub async fn get_subscription(&self, subscription_id: &str) -> Result<SubscriptionInfo> {
        let url = self.api_url(&["subscription", subscription_id])?;
        self.execute_json(&ApiRequest::new(Method::GET, url), "SubscriptionInfo")
            .await
    }

    /// `POST /restapi/v1.0/subscription/{id}/renew` (Light, empty body): extends the
    /// subscription by its `expiresIn`. Errors: 404 unknown or expired (`SUB-507`).
    pub async fn renew_subscription(&self, subscription_id: &str) -> Result<SubscriptionInfo> {
        let url = self.api_url(&["subscription", subscription_id, "renew"])?;
        self.execute_json(&ApiRequest::new(Method::POST, url), "SubscriptionInfo")
            .await
    }

    /// `PUT /restapi/v1.0/subscription/{id}` (Medium) with new filters and/or lifetime; an
    /// empty request renews with the default expiration.
    pub async fn update_subscription(
        &self,
        subscription_id: &str,
        request: &UpdateSubscriptionRequest,
    ) -> Result<SubscriptionInfo> {
        let url = self.api_url(&["subscription", subscription_id])?;
        let request = ApiRequest::new(Method::PUT, url).json(request)?;
        self.execute_json(&request, "SubscriptionInfo").await
    }

    /// `DELETE /restapi/v1.0/subscription/{id}` (Medium, 204). Errors: 404 unknown.
    pub async fn delete_subscription(&self, subscription_id: &str) -> Result<()> {
        let url = self.api_url(&["subscription", subscription_id])?;
        self.execute(&ApiRequest::new(Method::DELETE, url)).await?;
        Ok(())
    }
}
