//! Directory listings: shapes checked key by key against the fixtures; paging.
mod common;

use common::*;
use serde_json::Value;

async fn json(sim: &Sim, path: &str) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Value) {
    let r = sim.get(path).send().await.unwrap();
    let s = r.status();
    let h = r.headers().clone();
    (s, h, r.json().await.unwrap())
}

#[tokio::test]
async fn call_queues_match_fixture() {
    let sim = start(test_config()).await;
    let (s, h, v) = json(&sim, "/restapi/v1.0/account/~/call-queues").await;
    assert_eq!(s, 200);
    assert_eq!(h["x-rate-limit-group"], "medium");
    let f = fixture("list-call-queues.json");
    assert_eq!(keys(&v), keys(&f));
    assert_eq!(keys(&v["records"][0]), keys(&f["records"][0]));
    assert_eq!(keys(&v["paging"]), keys(&f["paging"]));
    assert_eq!(keys(&v["navigation"]), keys(&f["navigation"]));
    assert!(
        v["records"][0]["id"].is_string(),
        "call queue id is a string"
    );
    assert_eq!(v["records"].as_array().unwrap().len(), 2);
    let qid = v["records"][0]["id"].as_str().unwrap().to_string();
    let (s, _, m) = json(
        &sim,
        &format!("/restapi/v1.0/account/~/call-queues/{qid}/members"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        keys(&m["records"][0]),
        set(&["uri", "id", "extensionNumber"])
    );
    assert!(m["records"][0]["id"].is_u64(), "member id is an integer");
    let (s, _, e) = json(&sim, "/restapi/v1.0/account/~/call-queues/999/members").await;
    assert_eq!(s, 404);
    assert_eq!(e["errors"][0]["errorCode"], "CMN-102");
}

#[tokio::test]
async fn extensions_with_type_filter_and_paging() {
    let sim = start(test_config()).await;
    let (s, _, v) = json(
        &sim,
        "/restapi/v1.0/account/~/extension?type=User&perPage=5&page=2",
    )
    .await;
    assert_eq!(s, 200);
    let recs = v["records"].as_array().unwrap();
    assert_eq!(recs.len(), 5);
    assert!(recs.iter().all(|r| r["type"] == "User" && r["id"].is_u64()));
    // 1 admin + 12 lines + 4 agents = 17 users.
    assert_eq!(v["paging"]["totalElements"], 17);
    assert_eq!(v["paging"]["totalPages"], 4);
    assert_eq!(v["paging"]["pageStart"], 5);
    assert_eq!(v["paging"]["pageEnd"], 9);
    assert_eq!(
        keys(&v["navigation"]),
        set(&["firstPage", "nextPage", "previousPage", "lastPage"])
    );
    assert!(
        v["navigation"]["nextPage"]["uri"]
            .as_str()
            .unwrap()
            .contains("type=User&page=3&perPage=5")
    );
    let (_, _, d) = json(&sim, "/restapi/v1.0/account/~/extension?type=Department").await;
    assert_eq!(d["records"].as_array().unwrap().len(), 2);
    let (s, _, me) = json(&sim, "/restapi/v1.0/account/~/extension/~").await;
    assert_eq!(s, 200);
    assert_eq!(me["extensionNumber"], "101");
    let (s, _, e) = json(&sim, "/restapi/v1.0/account/12345/extension").await;
    assert_eq!(s, 404);
    assert_eq!(e["errors"][0]["errorCode"], "CMN-102");
    let (s, _, e) = json(&sim, "/restapi/v1.0/account/~/extension?page=0").await;
    assert_eq!(s, 400);
    assert_eq!(e["errors"][0]["parameterName"], "page");
}

#[tokio::test]
async fn devices_match_fixture() {
    let sim = start(test_config()).await;
    let ext = sim.handle.account().devices[0].extension_id;
    let (s, h, v) = json(
        &sim,
        &format!("/restapi/v1.0/account/~/extension/{ext}/device"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(h["x-rate-limit-group"], "light");
    let f = fixture("list-extension-devices.json");
    assert_eq!(keys(&v), keys(&f));
    let mut expected = keys(&f["records"][0]);
    expected.remove("shipping"); // OtherPhone ("Existing Phone") devices are not shipped.
    assert_eq!(keys(&v["records"][0]), expected);
    let d = &v["records"][0];
    assert_eq!(d["type"], "OtherPhone");
    assert_eq!(d["status"], "Online");
    assert!(d["id"].is_string());
    assert_eq!(keys(&d["extension"]), keys(&f["records"][0]["extension"]));
    assert_eq!(
        keys(&d["phoneLines"][0]),
        keys(&f["records"][0]["phoneLines"][0])
    );
    assert_eq!(
        keys(&d["phoneLines"][0]["phoneInfo"]),
        keys(&f["records"][0]["phoneLines"][0]["phoneInfo"])
    );
    assert_eq!(
        keys(&d["emergencyServiceAddress"]),
        keys(&f["records"][0]["emergencyServiceAddress"])
    );
    // Offline via admin shows up.
    let dev = sim.device_id(0);
    assert!(
        sim.handle
            .set_device_status(&dev, ringcentral_sim::state::DeviceStatus::Offline)
    );
    let (_, _, v) = json(
        &sim,
        &format!("/restapi/v1.0/account/~/extension/{ext}/device"),
    )
    .await;
    assert_eq!(v["records"][0]["status"], "Offline");
    // sip-info.
    let (s, _, sip) = json(
        &sim,
        &format!("/restapi/v1.0/account/~/device/{dev}/sip-info"),
    )
    .await;
    assert_eq!(s, 200);
    for k in [
        "domain",
        "outboundProxy",
        "userName",
        "password",
        "authorizationId",
    ] {
        assert!(sip.get(k).is_some(), "{k}");
    }
}

#[tokio::test]
async fn phone_numbers_match_fixture() {
    let sim = start(test_config()).await;
    let (s, h, v) = json(
        &sim,
        "/restapi/v1.0/account/~/phone-number?usageType=DirectNumber",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(h["x-rate-limit-group"], "heavy");
    let f = fixture("list-account-phone-numbers-directnumber.json");
    assert_eq!(keys(&v), keys(&f));
    assert_eq!(keys(&v["records"][0]), keys(&f["records"][1]));
    assert_eq!(
        keys(&v["records"][0]["extension"]),
        keys(&f["records"][1]["extension"])
    );
    assert!(
        v["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["usageType"] == "DirectNumber")
    );
    assert_eq!(v["records"].as_array().unwrap().len(), 14);
    assert!(
        v["uri"]
            .as_str()
            .unwrap()
            .ends_with("phone-number?usageType=DirectNumber&page=1&perPage=100")
    );
    let ext = sim.handle.account().devices[0].extension_id;
    let (s, _, v) = json(
        &sim,
        &format!("/restapi/v1.0/account/~/extension/{ext}/phone-number"),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["records"][0]["features"][0], "CallerId");
}
