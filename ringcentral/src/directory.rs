//! Directory listings with paging: extensions, call queues and members, devices, account
//! phone numbers, device SIP info (SPEC `listExtensions`, `listCallQueues`,
//! `listCallQueueMembers`, `listExtensionDevices`, `listAccountPhoneNumbers`).
//!
//! Each `list_*` method fetches every page (following `navigation.nextPage` /
//! `paging.totalPages` by page number, never an absolute URI from the response); each
//! `list_*_page` method fetches one page and returns its `paging` and `navigation`.

use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::Client;
use crate::error::Result;
use crate::model::directory::{
    CallQueue, CallQueueMember, Device, Extension, PhoneNumber, SipInfo,
};
use crate::model::paging::Page;
use crate::transport::{ApiRequest, decode_secret};

/// Safety stop for auto-paging: at most this many pages are fetched by one `list_*` call.
pub const MAX_AUTO_PAGES: u32 = 1000;

/// Filters of `GET /restapi/v1.0/account/~/extension` (SPEC `listExtensions`). Empty vectors
/// mean "no filter"; repeated values are sent as repeated query parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtensionQuery {
    /// `type`: `User`, `Department` (call queue), `IvrMenu`, ...
    pub types: Vec<String>,
    /// `status`: `Enabled`, `Disabled`, `NotActivated`, ...
    pub statuses: Vec<String>,
    /// `extensionNumber`.
    pub extension_number: Option<String>,
    /// `perPage` (server default 100).
    pub per_page: Option<u32>,
}

/// Filters of `GET /restapi/v1.0/account/~/phone-number` (SPEC `listAccountPhoneNumbers`,
/// group Heavy).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneNumberQuery {
    /// `usageType`: `DirectNumber`, `MainCompanyNumber`, `CompanyNumber`, ...
    pub usage_types: Vec<String>,
    /// `status`: `Normal`, `Pending`, `PortedIn`, `Temporary`.
    pub statuses: Vec<String>,
    /// `paymentType`: `Local`, `TollFree`.
    pub payment_types: Vec<String>,
    /// `perPage` (server default 100).
    pub per_page: Option<u32>,
}

impl Client {
    /// All extensions matching `query` (every page; group Medium).
    pub async fn list_extensions(&self, query: &ExtensionQuery) -> Result<Vec<Extension>> {
        let url = self.extensions_url(query)?;
        self.fetch_all(url, query.per_page, "Page<Extension>").await
    }

    /// One page (1-based) of [`Client::list_extensions`].
    pub async fn list_extensions_page(
        &self,
        query: &ExtensionQuery,
        page: u32,
    ) -> Result<Page<Extension>> {
        let url = self.extensions_url(query)?;
        self.fetch_page(url, page, query.per_page, "Page<Extension>")
            .await
    }

    /// All call queues of the account (every page; group Medium).
    pub async fn list_call_queues(&self) -> Result<Vec<CallQueue>> {
        let url = self.account_url(&["call-queues"])?;
        self.fetch_all(url, None, "Page<CallQueue>").await
    }

    /// One page (1-based) of [`Client::list_call_queues`].
    pub async fn list_call_queues_page(
        &self,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Page<CallQueue>> {
        let url = self.account_url(&["call-queues"])?;
        self.fetch_page(url, page, per_page, "Page<CallQueue>")
            .await
    }

    /// All members of call queue `queue_id` (`GET …/call-queues/{groupId}/members`, Light).
    pub async fn list_call_queue_members(&self, queue_id: &str) -> Result<Vec<CallQueueMember>> {
        let url = self.account_url(&["call-queues", queue_id, "members"])?;
        self.fetch_all(url, None, "Page<CallQueueMember>").await
    }

    /// One page (1-based) of [`Client::list_call_queue_members`].
    pub async fn list_call_queue_members_page(
        &self,
        queue_id: &str,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Page<CallQueueMember>> {
        let url = self.account_url(&["call-queues", queue_id, "members"])?;
        self.fetch_page(url, page, per_page, "Page<CallQueueMember>")
            .await
    }

    /// All devices of extension `extension_id` (`~` = the authorized extension;
    /// `GET …/extension/{id}/device`, Light).
    pub async fn list_extension_devices(&self, extension_id: &str) -> Result<Vec<Device>> {
        let url = self.account_url(&["extension", extension_id, "device"])?;
        self.fetch_all(url, None, "Page<Device>").await
    }

    /// One page (1-based) of [`Client::list_extension_devices`].
    pub async fn list_extension_devices_page(
        &self,
        extension_id: &str,
        page: u32,
        per_page: Option<u32>,
    ) -> Result<Page<Device>> {
        let url = self.account_url(&["extension", extension_id, "device"])?;
        self.fetch_page(url, page, per_page, "Page<Device>").await
    }

    /// All account phone numbers matching `query` (every page; group **Heavy**).
    pub async fn list_account_phone_numbers(
        &self,
        query: &PhoneNumberQuery,
    ) -> Result<Vec<PhoneNumber>> {
        let url = self.phone_numbers_url(query)?;
        self.fetch_all(url, query.per_page, "Page<PhoneNumber>")
            .await
    }

    /// One page (1-based) of [`Client::list_account_phone_numbers`].
    pub async fn list_account_phone_numbers_page(
        &self,
        query: &PhoneNumberQuery,
        page: u32,
    ) -> Result<Page<PhoneNumber>> {
        let url = self.phone_numbers_url(query)?;
        self.fetch_page(url, page, query.per_page, "Page<PhoneNumber>")
            .await
    }

    /// SIP credentials of a device: `GET /restapi/v1.0/account/~/device/{deviceId}/sip-info`
    /// (Light). The password is a [`secrecy::SecretString`].
    pub async fn get_device_sip_info(&self, device_id: &str) -> Result<SipInfo> {
        let url = self.account_url(&["device", device_id, "sip-info"])?;
        let response = self.execute(&ApiRequest::new(Method::GET, url)).await?;
        decode_secret(&response.body, "SipInfo")
    }

    fn extensions_url(&self, query: &ExtensionQuery) -> Result<Url> {
        let mut url = self.account_url(&["extension"])?;
        {
            let mut pairs = url.query_pairs_mut();
            for value in &query.types {
                pairs.append_pair("type", value);
            }
            for value in &query.statuses {
                pairs.append_pair("status", value);
            }
            if let Some(number) = &query.extension_number {
                pairs.append_pair("extensionNumber", number);
            }
        }
        Ok(url)
    }

    fn phone_numbers_url(&self, query: &PhoneNumberQuery) -> Result<Url> {
        let mut url = self.account_url(&["phone-number"])?;
        {
            let mut pairs = url.query_pairs_mut();
            for value in &query.usage_types {
                pairs.append_pair("usageType", value);
            }
            for value in &query.statuses {
                pairs.append_pair("status", value);
            }
            for value in &query.payment_types {
                pairs.append_pair("paymentType", value);
            }
        }
        Ok(url)
    }

    async fn fetch_page<T: DeserializeOwned>(
        &self,
        mut url: Url,
        page: u32,
        per_page: Option<u32>,
        what: &'static str,
    ) -> Result<Page<T>> {
        {
            let mut pairs = url.query_pairs_mut();
            pairs.append_pair("page", &page.to_string());
            if let Some(per_page) = per_page {
                pairs.append_pair("perPage", &per_page.to_string());
            }
        }
        self.execute_json(&ApiRequest::new(Method::GET, url), what)
            .await
    }

    async fn fetch_all<T: DeserializeOwned>(
        &self,
        url: Url,
        per_page: Option<u32>,
        what: &'static str,
    ) -> Result<Vec<T>> {
        let mut records = Vec::new();
        for page_number in 1..=MAX_AUTO_PAGES {
            let page: Page<T> = self
                .fetch_page(url.clone(), page_number, per_page, what)
                .await?;
            let more = page.has_next_page() && !page.records.is_empty();
            records.extend(page.records);
            if !more {
                return Ok(records);
            }
        }
        tracing::warn!(
            path = url.path(),
            max_pages = MAX_AUTO_PAGES,
            "RingCentral listing stopped at the page limit"
        );
        Ok(records)
    }
}
