//! Account directory: extensions, call queues and members, devices, phone numbers, SIP info
//! (SPEC `listExtensions`, `listCallQueues`, `listCallQueueMembers`, `listExtensionDevices`,
//! `listAccountPhoneNumbers`, device `sip-info`).

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::model::lenient::{id, opt_id, string_enum};

string_enum! {
    /// Device status (SPEC: `Online` | `Offline`). Call-out needs an `Online` device.
    pub enum DeviceStatus {
        /// Any other value.
        @fallback Unknown,
        /// Registered and usable.
        Online = "Online",
        /// Not registered.
        Offline = "Offline",
    }
}

/// Short reference to an extension inside another record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionRef {
    /// Extension id (integer on the wire; decoded as text).
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Extension number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Contact of an extension.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Business phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_phone: Option<String>,
}

/// Site reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteRef {
    /// Site id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Site name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An extension (`GET /restapi/v1.0/account/~/extension` record). `id` is an integer in JSON
/// and is decoded as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    /// Extension id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Extension number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Type: `User`, `Department` (= call queue), `IvrMenu`, ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Status: `Enabled`, `Disabled`, `NotActivated`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Sub type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    /// Hidden from the directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hidden: Option<bool>,
    /// Site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteRef>,
}

/// A call queue (`GET /restapi/v1.0/account/~/call-queues` record; fixture
/// `list-call-queues.json`). Transfer to it with its `extension_number` or `id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallQueue {
    /// Call queue (extension) id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Extension number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Sub type (`Emergency` | `Unknown`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    /// Site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteRef>,
}

/// A call queue member (`GET /call-queues/{groupId}/members` record; `id` is an integer).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallQueueMember {
    /// Member extension id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Extension number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_number: Option<String>,
}

/// Country reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountryRef {
    /// Country id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// ISO code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iso_code: Option<String>,
}

/// `phoneLines[].phoneInfo` of a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneLineInfo {
    /// Phone number id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// E.164 number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Payment type (`Local`, `TollFree`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// `VoiceFax`, `VoiceOnly`, `FaxOnly`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Usage type (`DirectNumber`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type: Option<String>,
    /// Country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<CountryRef>,
}

/// A phone line of a device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneLine {
    /// `Standalone`, `StandaloneFree`, `BlaPrimary`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_type: Option<String>,
    /// The number on the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_info: Option<PhoneLineInfo>,
}

/// Device model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceModel {
    /// Model id.
    #[serde(
        default,
        deserialize_with = "opt_id",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Model name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A device of an extension (`GET /restapi/v1.0/account/~/extension/{id}/device` record;
/// fixture `list-extension-devices.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device id (used as call-out `from.deviceId`).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// `SoftPhone`, `OtherPhone` (SIP "Existing Phone"), `HardPhone`, `WebPhone`, `WebRTC`, ...
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Computer name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computer_name: Option<String>,
    /// `Online` | `Offline`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeviceStatus>,
    /// Model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<DeviceModel>,
    /// Owning extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionRef>,
    /// Phone lines.
    #[serde(default)]
    pub phone_lines: Vec<PhoneLine>,
    /// `Host`, `Guest`, `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_pooling: Option<String>,
}

impl Device {
    /// True when `status` is `Online`.
    pub fn is_online(&self) -> bool {
        self.status == Some(DeviceStatus::Online)
    }
}

/// An account phone number (`GET /restapi/v1.0/account/~/phone-number` record; fixture
/// `list-account-phone-numbers-directnumber.json`). `id` is an integer in JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    /// Phone number id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// E.164 number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Payment type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// `VoiceFax` | `VoiceOnly` | `FaxOnly`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
    /// Usage type (`DirectNumber`, `MainCompanyNumber`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type: Option<String>,
    /// Status (`Normal`, `Pending`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Primary number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// Extension the number is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<ExtensionRef>,
}

/// One outbound proxy of [`SipInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboundProxy {
    /// Region.
    pub region: Option<String>,
    /// Proxy `host:port`.
    pub proxy: Option<String>,
    /// TLS proxy `host:port`.
    #[serde(rename = "proxyTLS")]
    pub proxy_tls: Option<String>,
}

/// SIP registration data of a device (`GET /restapi/v1.0/account/~/device/{deviceId}/sip-info`;
/// field names as in SPEC `SIPInfoResponse`, the exact device sip-info schema is UNVERIFIED,
/// so both `username` and `userName` are accepted). `password` is a secret: `Debug` redacts
/// it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SipInfo {
    /// SIP user name.
    #[serde(alias = "userName")]
    pub username: Option<String>,
    /// SIP password.
    pub password: Option<SecretString>,
    /// SIP authorization id.
    pub authorization_id: Option<String>,
    /// SIP domain, e.g. `sip.ringcentral.com`.
    pub domain: Option<String>,
    /// Outbound proxy `host:port`.
    pub outbound_proxy: Option<String>,
    /// Backup outbound proxy.
    pub outbound_proxy_backup: Option<String>,
    /// Regional outbound proxies.
    #[serde(default)]
    pub outbound_proxies: Vec<OutboundProxy>,
    /// Transport (`UDP`, `TCP`, `TLS`, `WS`, `WSS`).
    pub transport: Option<String>,
}
