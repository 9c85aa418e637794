//! The simulated RingCentral account: the admin user the JWT logs in as, hold-line users (each
//! with one `OtherPhone` device and a DirectNumber), call queues (Department extensions) and
//! their agents. Built deterministically from [`AccountConfig`]; ids follow RingCentral's
//! shapes (numeric, ending in `004`).

use std::collections::HashMap;

use serde::Serialize;

use crate::config::AccountConfig;

/// Kind of an extension (SPEC `listExtensions` `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExtensionKind {
    /// A user.
    User,
    /// A call queue ("Department").
    Department,
}

impl ExtensionKind {
    /// The RingCentral `type` string.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtensionKind::User => "User",
            ExtensionKind::Department => "Department",
        }
    }
}

/// One extension.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    /// Extension id (integer in listings, string in telephony payloads).
    pub id: u64,
    /// Short internal number, e.g. "1001".
    pub extension_number: String,
    /// Display name.
    pub name: String,
    /// Contact first name.
    pub first_name: String,
    /// Contact last name.
    pub last_name: String,
    /// Contact e-mail (fake domain).
    pub email: String,
    /// User or Department (call queue).
    pub kind: ExtensionKind,
    /// E.164 direct number, if any.
    pub direct_number: Option<String>,
}

/// One device of a hold line (`OtherPhone`, "Existing Phone": what a headless SIP endpoint
/// registers as, REF §7).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Device id (string in the API).
    pub id: String,
    /// Owning extension id.
    pub extension_id: u64,
    /// Device name.
    pub name: String,
    /// The line's E.164 number.
    pub phone_number: String,
    /// Id of that number's phone-number record.
    pub phone_number_id: u64,
}

/// One call queue with its agents.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallQueue {
    /// The queue's extension id (same as its Department extension).
    pub extension_id: u64,
    /// Agent (User) extension ids.
    pub agent_extension_ids: Vec<u64>,
}

/// One phone number of the account (SPEC `listAccountPhoneNumbers`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneNumber {
    /// Record id.
    pub id: u64,
    /// E.164 number.
    pub phone_number: String,
    /// `MainCompanyNumber` or `DirectNumber`.
    pub usage_type: &'static str,
    /// Owning extension, for direct numbers.
    pub extension_id: Option<u64>,
}

/// The whole account.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// Account id.
    pub id: u64,
    /// Main company number.
    pub main_number: String,
    /// The admin user the JWT logs in as (`owner_id` of tokens, `ownerId` of subscriptions).
    pub owner_extension_id: u64,
    /// Every extension: admin, hold lines, queues, agents (in that order).
    pub extensions: Vec<Extension>,
    /// Hold-line devices.
    pub devices: Vec<Device>,
    /// Call queues.
    pub call_queues: Vec<CallQueue>,
    /// Every phone number.
    pub phone_numbers: Vec<PhoneNumber>,
    #[serde(skip)]
    by_id: HashMap<u64, usize>,
}

/// Fictional US number `+1<area>5550<nnn>` (555-01xx is reserved for fiction).
fn fake_number(area: u32, index: usize) -> String {
    // 100 numbers per area code: 555-0100 .. 555-0199.
    let areas = [area, area + 1, area + 2, area + 3, area + 4];
    let a = areas[(index / 100) % areas.len()];
    format!("+1{a}5550{:03}", 100 + index % 100)
}

impl Account {
    /// Account id used by every simulated payload.
    pub const ID: u64 = 400_000_000_004;

    /// Builds the account deterministically.
    pub fn build(cfg: &AccountConfig) -> Account {
        let mut extensions = Vec::new();
        let mut devices = Vec::new();
        let mut call_queues = Vec::new();
        let mut phone_numbers = Vec::new();
        let main_number = "+16505550100".to_string();
        phone_numbers.push(PhoneNumber {
            id: 500_000_000_004,
            phone_number: main_number.clone(),
            usage_type: "MainCompanyNumber",
            extension_id: None,
        });
        let owner_extension_id = 400_000_001_004;
        extensions.push(Extension {
            id: owner_extension_id,
            extension_number: "101".into(),
            name: "Sim Admin".into(),
            first_name: "Sim".into(),
            last_name: "Admin".into(),
            email: "admin@sim.example.invalid".into(),
            kind: ExtensionKind::User,
            direct_number: None,
        });
        for i in 0..cfg.hold_lines {
            let id = 400_000_100_004 + i as u64 * 1_000;
            let number = fake_number(650, i + 1);
            let number_id = 500_000_100_004 + i as u64 * 1_000;
            let label = format!("{:02}", i + 1);
            extensions.push(Extension {
                id,
                extension_number: format!("{}", 1001 + i),
                name: format!("Hold Line {label}"),
                first_name: "Hold".into(),
                last_name: format!("Line {label}"),
                email: format!("hold-line-{label}@sim.example.invalid"),
                kind: ExtensionKind::User,
                direct_number: Some(number.clone()),
            });
            phone_numbers.push(PhoneNumber {
                id: number_id,
                phone_number: number.clone(),
                usage_type: "DirectNumber",
                extension_id: Some(id),
            });
            devices.push(Device {
                id: format!("{}", 600_000_000_004u64 + i as u64 * 1_000),
                extension_id: id,
                name: format!("Hold Line {label} SIP line"),
                phone_number: number,
                phone_number_id: number_id,
            });
        }
        let mut agents = Vec::new();
        for q in 0..cfg.call_queues {
            let id = 400_000_200_004 + q as u64 * 1_000;
            let number = fake_number(212, q + 1);
            let number_id = 500_000_200_004 + q as u64 * 1_000;
            extensions.push(Extension {
                id,
                extension_number: format!("{}", 5001 + q),
                name: format!("Resolution Team {}", q + 1),
                first_name: "Resolution".into(),
                last_name: format!("Team {}", q + 1),
                email: format!("queue-{}@sim.example.invalid", q + 1),
                kind: ExtensionKind::Department,
                direct_number: Some(number.clone()),
            });
            phone_numbers.push(PhoneNumber {
                id: number_id,
                phone_number: number,
                usage_type: "DirectNumber",
                extension_id: Some(id),
            });
            let mut agent_ids = Vec::new();
            for a in 0..cfg.agents_per_queue {
                let k = q * cfg.agents_per_queue + a;
                let agent_id = 400_000_300_004 + k as u64 * 1_000;
                agent_ids.push(agent_id);
                agents.push(Extension {
                    id: agent_id,
                    extension_number: format!("{}", 3001 + k),
                    name: format!("Queue Agent {}-{}", q + 1, a + 1),
                    first_name: "Queue".into(),
                    last_name: format!("Agent {}-{}", q + 1, a + 1),
                    email: format!("agent-{}-{}@sim.example.invalid", q + 1, a + 1),
                    kind: ExtensionKind::User,
                    direct_number: None,
                });
            }
            call_queues.push(CallQueue {
                extension_id: id,
                agent_extension_ids: agent_ids,
            });
        }
        extensions.extend(agents);
        let by_id = extensions
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id, i))
            .collect();
        Account {
            id: Self::ID,
            main_number,
            owner_extension_id,
            extensions,
            devices,
            call_queues,
            phone_numbers,
            by_id,
        }
    }

    /// Extension by id.
    pub fn extension(&self, id: u64) -> Option<&Extension> {
        self.by_id.get(&id).map(|&i| &self.extensions[i])
    }

    /// Extension by its short number.
    pub fn extension_by_number(&self, number: &str) -> Option<&Extension> {
        self.extensions
            .iter()
            .find(|e| e.extension_number == number)
    }

    /// Extension whose direct number is `e164`.
    pub fn extension_by_direct_number(&self, e164: &str) -> Option<&Extension> {
        self.extensions
            .iter()
            .find(|e| e.direct_number.as_deref() == Some(e164))
    }

    /// Device by id.
    pub fn device(&self, id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.id == id)
    }

    /// Call queue by its extension id.
    pub fn call_queue(&self, extension_id: u64) -> Option<&CallQueue> {
        self.call_queues
            .iter()
            .find(|q| q.extension_id == extension_id)
    }

    /// Resolves a path segment `~` or a numeric account id; `None` if it is another account.
    pub fn matches_account(&self, segment: &str) -> bool {
        segment == "~" || segment.parse::<u64>().ok() == Some(self.id)
    }

    /// Resolves `~` (the logged-in user) or a numeric extension id.
    pub fn resolve_extension(&self, segment: &str) -> Option<&Extension> {
        if segment == "~" {
            return self.extension(self.owner_extension_id);
        }
        segment.parse().ok().and_then(|id| self.extension(id))
    }
}
