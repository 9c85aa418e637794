//! Directory listings (REF §7) with RingCentral paging: `page` (default 1), `perPage`
//! (default 100, or `max`), `paging{page, totalPages, perPage, totalElements, pageStart,
//! pageEnd}` and `navigation{firstPage, nextPage?, previousPage?, lastPage}`. Shapes follow the
//! fixtures `list-call-queues.json`, `list-extension-devices.json`,
//! `list-account-phone-numbers-directnumber.json`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::account::{Device, Extension};
use crate::errors::{ApiError, ApiResult};
use crate::state::{DeviceStatus, SimState};

/// Query parameters, repeated keys kept (`type=User&type=Department`).
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses a URI's query.
    pub fn of(uri: &Uri) -> Query {
        Query(
            uri.query()
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default(),
        )
    }
    /// All values of `key`.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// First value of `key`.
    pub fn first(&self, key: &str) -> Option<&str> {
        self.all(key).into_iter().next()
    }
}

/// Paged list response: `{uri, records, paging, navigation}`.
fn paged(
    state: &SimState,
    path: &str,
    q: &Query,
    records: Vec<Value>,
    max_per_page: usize,
) -> ApiResult<Value> {
    let page: usize = match q.first("page") {
        None => 1,
        Some(p) => p
            .parse()
            .ok()
            .filter(|&p| p >= 1)
            .ok_or_else(|| ApiError::invalid_parameter("page"))?,
    };
    let (per_page, per_page_text) = match q.first("perPage") {
        None => (100, "100".to_string()),
        Some("max") => (max_per_page, "max".to_string()),
        Some(p) => {
            let n: usize = p
                .parse()
                .ok()
                .filter(|&n| n >= 1)
                .ok_or_else(|| ApiError::invalid_parameter("perPage"))?;
            let n = n.min(max_per_page);
            (n, n.to_string())
        }
    };
    let total = records.len();
    let total_pages = total.div_ceil(per_page).max(1);
    let start = (page - 1) * per_page;
    let slice: Vec<Value> = records.into_iter().skip(start).take(per_page).collect();
    // Other query parameters first, then page/perPage, like the fixtures.
    let base_q: Vec<String> =
        q.0.iter()
            .filter(|(k, _)| k != "page" && k != "perPage")
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
    let link = |p: usize| {
        let mut parts = base_q.clone();
        parts.push(format!("page={p}&perPage={per_page_text}"));
        json!({"uri": format!("{}{}?{}", state.base_url, path, parts.join("&"))})
    };
    let mut navigation = serde_json::Map::new();
    navigation.insert("firstPage".into(), link(1));
    if page < total_pages {
        navigation.insert("nextPage".into(), link(page + 1));
    }
    if page > 1 {
        navigation.insert("previousPage".into(), link(page - 1));
    }
    navigation.insert("lastPage".into(), link(total_pages));
    let mut paging = json!({
        "page": page,
        "totalPages": total_pages,
        "perPage": per_page,
        "totalElements": total,
    });
    if !slice.is_empty() {
        paging["pageStart"] = json!(start);
        paging["pageEnd"] = json!(start + slice.len() - 1);
    }
    Ok(json!({
        "uri": link(page)["uri"],
        "records": slice,
        "paging": paging,
        "navigation": navigation,
    }))
}

fn check_account(state: &SimState, account: &str) -> ApiResult<()> {
    if state.account.matches_account(account) {
        Ok(())
    } else {
        Err(ApiError::not_found("accountId"))
    }
}

fn extension_uri(state: &SimState, id: u64) -> String {
    format!(
        "{}/restapi/v1.0/account/{}/extension/{id}",
        state.base_url, state.account.id
    )
}

fn extension_json(state: &SimState, e: &Extension) -> Value {
    json!({
        "uri": extension_uri(state, e.id),
        "id": e.id,
        "extensionNumber": e.extension_number,
        "contact": {"firstName": e.first_name, "lastName": e.last_name, "email": e.email},
        "name": e.name,
        "type": e.kind.as_str(),
        "status": "Enabled",
        "hidden": false,
    })
}

fn ext_of<'a>(state: &'a SimState, segment: &str) -> ApiResult<&'a Extension> {
    state
        .account
        .resolve_extension(segment)
        .ok_or_else(|| ApiError::not_found("extensionId"))
}

/// `GET /restapi/v1.0/account/{accountId}/extension` (Medium): filters `type` (repeatable),
/// `status`, `extensionNumber`.
pub async fn list_extensions(
    State(state): State<Arc<SimState>>,
    Path(account): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let q = Query::of(&uri);
    let types = q.all("type");
    let statuses = q.all("status");
    let number = q.first("extensionNumber");
    let records = state
        .account
        .extensions
        .iter()
        .filter(|e| types.is_empty() || types.contains(&e.kind.as_str()))
        .filter(|_| statuses.is_empty() || statuses.contains(&"Enabled"))
        .filter(|e| number.is_none_or(|n| n == e.extension_number))
        .map(|e| extension_json(&state, e))
        .collect();
    let path = format!("/restapi/v1.0/account/{}/extension", state.account.id);
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}` (Light): one extension
/// (`~` = the logged-in user).
pub async fn read_extension(
    State(state): State<Arc<SimState>>,
    Path((account, ext)): Path<(String, String)>,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let e = ext_of(&state, &ext)?;
    Ok(Json(extension_json(&state, e)).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/call-queues` (Medium): records `{uri, id (string),
/// extensionNumber, name}` like the fixture.
pub async fn list_call_queues(
    State(state): State<Arc<SimState>>,
    Path(account): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let q = Query::of(&uri);
    let member: Option<u64> = q.first("memberExtensionId").and_then(|m| m.parse().ok());
    let records = state
        .account
        .call_queues
        .iter()
        .filter(|cq| member.is_none_or(|m| cq.agent_extension_ids.contains(&m)))
        .filter_map(|cq| state.account.extension(cq.extension_id))
        .map(|e| {
            json!({
                "uri": extension_uri(&state, e.id),
                "id": e.id.to_string(),
                "extensionNumber": e.extension_number,
                "name": e.name,
            })
        })
        .collect();
    let path = format!("/restapi/v1.0/account/{}/call-queues", state.account.id);
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/call-queues/{groupId}/members` (Light): records
/// `{uri, id (int), extensionNumber}`.
pub async fn list_call_queue_members(
    State(state): State<Arc<SimState>>,
    Path((account, group)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let q = Query::of(&uri);
    let cq = group
        .parse::<u64>()
        .ok()
        .and_then(|id| state.account.call_queue(id))
        .ok_or_else(|| ApiError::not_found("groupId"))?;
    let records = cq
        .agent_extension_ids
        .iter()
        .filter_map(|id| state.account.extension(*id))
        .map(|e| {
            json!({
                "uri": extension_uri(&state, e.id),
                "id": e.id,
                "extensionNumber": e.extension_number,
            })
        })
        .collect();
    let path = format!(
        "/restapi/v1.0/account/{}/call-queues/{}/members",
        state.account.id, cq.extension_id
    );
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

fn device_json(state: &SimState, d: &Device, e: &Extension) -> Value {
    let status = match state.device_status(&d.id) {
        Some(DeviceStatus::Online) => "Online",
        _ => "Offline",
    };
    json!({
        "uri": format!("{}/restapi/v1.0/account/{}/device/{}", state.base_url, state.account.id, d.id),
        "id": d.id,
        "type": "OtherPhone",
        "sku": "DV-1",
        "name": d.name,
        "status": status,
        "extension": {
            "uri": extension_uri(state, e.id),
            "id": e.id,
            "extensionNumber": e.extension_number,
        },
        "phoneLines": [{
            "lineType": "Standalone",
            "emergencyAddress": {"required": true, "localOnly": false},
            "phoneInfo": {
                "id": d.phone_number_id,
                "phoneNumber": d.phone_number,
                "paymentType": "Local",
                "type": "VoiceFax",
                "usageType": "DirectNumber",
                "country": {
                    "uri": format!("{}/restapi/v1.0/dictionary/country/1", state.base_url),
                    "id": "1",
                    "name": "United States",
                },
            },
        }],
        "emergencyServiceAddress": {
            "street": "1 Simulator Way",
            "city": "Belmont",
            "state": "CA",
            "stateId": "16",
            "stateIsoCode": "CA",
            "stateName": "California",
            "country": "US",
            "countryId": "1",
            "countryIsoCode": "US",
            "countryName": "United States",
            "zip": "94002",
            "customerName": e.name,
            "outOfCountry": false,
        },
        "linePooling": "None",
    })
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}/device` (Light): `type`
/// filter (repeatable).
pub async fn list_extension_devices(
    State(state): State<Arc<SimState>>,
    Path((account, ext)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let e = ext_of(&state, &ext)?;
    let q = Query::of(&uri);
    let types = q.all("type");
    let records = state
        .account
        .devices
        .iter()
        .filter(|d| d.extension_id == e.id)
        .filter(|_| types.is_empty() || types.contains(&"OtherPhone"))
        .map(|d| device_json(&state, d, e))
        .collect();
    let path = format!(
        "/restapi/v1.0/account/{}/extension/{}/device",
        state.account.id, e.id
    );
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

fn number_json(state: &SimState, n: &crate::account::PhoneNumber) -> Value {
    let mut v = json!({
        "id": n.id,
        "phoneNumber": n.phone_number,
        "paymentType": "Local",
        "type": "VoiceFax",
        "usageType": n.usage_type,
    });
    if let Some(e) = n.extension_id.and_then(|id| state.account.extension(id)) {
        v["extension"] = json!({
            "uri": extension_uri(state, e.id),
            "id": e.id,
            "extensionNumber": e.extension_number,
        });
    }
    v
}

/// `GET /restapi/v1.0/account/{accountId}/phone-number` (Heavy): `usageType` filter
/// (repeatable).
pub async fn list_account_phone_numbers(
    State(state): State<Arc<SimState>>,
    Path(account): Path<String>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let q = Query::of(&uri);
    let usage = q.all("usageType");
    let records = state
        .account
        .phone_numbers
        .iter()
        .filter(|n| usage.is_empty() || usage.contains(&n.usage_type))
        .map(|n| number_json(&state, n))
        .collect();
    let path = format!("/restapi/v1.0/account/{}/phone-number", state.account.id);
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/extension/{extensionId}/phone-number` (Light):
/// adds `features` (WIDGETS `phoneNumber.json`).
pub async fn list_extension_phone_numbers(
    State(state): State<Arc<SimState>>,
    Path((account, ext)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let e = ext_of(&state, &ext)?;
    let q = Query::of(&uri);
    let records = state
        .account
        .phone_numbers
        .iter()
        .filter(|n| n.extension_id == Some(e.id))
        .map(|n| {
            let mut v = number_json(&state, n);
            v["uri"] = json!(format!(
                "{}/restapi/v1.0/account/{}/phone-number/{}",
                state.base_url, state.account.id, n.id
            ));
            v["features"] = json!(["CallerId", "SmsSender"]);
            v["status"] = json!("Normal");
            v
        })
        .collect();
    let path = format!(
        "/restapi/v1.0/account/{}/extension/{}/phone-number",
        state.account.id, e.id
    );
    Ok(Json(paged(&state, &path, &q, records, 1000)?).into_response())
}

/// `GET /restapi/v1.0/account/{accountId}/device/{deviceId}/sip-info` (Light): SIP
/// registration data for a softphone SDK. The password is an obviously fake placeholder.
pub async fn read_device_sip_info(
    State(state): State<Arc<SimState>>,
    Path((account, device)): Path<(String, String)>,
) -> ApiResult<Response> {
    check_account(&state, &account)?;
    let d = state
        .account
        .device(&device)
        .ok_or_else(|| ApiError::not_found("deviceId"))?;
    let user = d.phone_number.trim_start_matches('+').to_string();
    Ok(Json(json!({
        "domain": "sip.sim.example.invalid",
        "outboundProxy": "sip.sim.example.invalid:5090",
        "outboundProxyBackup": "sip2.sim.example.invalid:5090",
        "outboundProxies": [
            {"region": "NA", "proxy": "sip.sim.example.invalid:5090", "proxyTLS": "sip.sim.example.invalid:5096"}
        ],
        "transport": "TLS",
        "userName": user,
        "authorizationId": d.id,
        "password": "sim-sip-password",
    }))
    .into_response())
}
