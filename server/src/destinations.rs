//! Destinations: built-in IRS presets (from `shared/reference/irs-lines.md`) plus custom ones
//! stored in Redis; validation (E.164, IANA time zone via jiff, hours, DTMF digits); `open_now`
//! with US federal holidays.

use holdhunter_proto::v1::{BusinessHours, Destination, IvrPlan, IvrStep};
use jiff::civil::{Date, Weekday};

use crate::error::{Error, Result};
use crate::store::Store;

fn step(prompt: &str, expect: &str, digits: &str, fallback_ms: u32) -> IvrStep {
    IvrStep {
        prompt: prompt.into(),
        expect: expect.into(),
        digits: digits.into(),
        fallback_ms,
    }
}

fn weekday_hours() -> Vec<BusinessHours> {
    vec![BusinessHours {
        weekdays: vec![1, 2, 3, 4, 5],
        open_minute: 7 * 60,
        close_minute: 19 * 60,
    }]
}

/// The built-in presets, ordered by id.
pub fn presets() -> Vec<Destination> {
    let irs = |id: &str, name: &str, number: &str, steps: Vec<IvrStep>, notes: &str| Destination {
        destination_id: id.into(),
        name: name.into(),
        phone_number: number.into(),
        time_zone: "America/New_York".into(),
        business_hours: weekday_hours(),
        closed_on_us_federal_holidays: true,
        ivr_plan: Some(IvrPlan { steps }),
        preset: true,
        notes: notes.into(),
        open_now: false,
    };
    // The menus below are the ones the simulator's IRS lines play (sim/src/farend/presets.rs,
    // sim/assets/catalog.tsv); both follow irs-lines.md. Real menus change: presets are data,
    // and custom destinations can be upserted. A step with no digits waits for the prompt or
    // message to pass.
    vec![
        irs(
            "irs-business",
            "IRS Business & Specialty Tax Line",
            "+18008294933",
            vec![
                step("language", "for english press 1", "1", 12_000),
                step("topic", "for business income tax press 2", "2", 12_000),
                step(
                    "ein",
                    "enter your employer identification number or stay on the line",
                    "",
                    15_000,
                ),
            ],
            "1 (English) -> 2 (business income tax) -> EIN (optional, stay on the line). \
             Plausible, not verified (irs-lines.md: menus change; presets are data).",
        ),
        irs(
            "irs-individual",
            "IRS Individual Taxpayers",
            "+18008291040",
            vec![
                step("language", "for english press 1", "1", 12_000),
                step("changed", "our menu options have changed", "", 15_000),
                step("topic", "personal income tax press 2", "2", 12_000),
                step(
                    "form",
                    "form you have already filed or a payment press 1",
                    "1",
                    12_000,
                ),
                step(
                    "account",
                    "questions about your account press 3",
                    "3",
                    12_000,
                ),
                step("notice", "letter or notice from us press 2", "2", 12_000),
                step(
                    "ssn",
                    "enter your social security number or hold",
                    "",
                    15_000,
                ),
            ],
            "2020 path 1 -> message -> 2 -> 1 -> 3 -> 2 -> SSN (optional) [secondary, stale] \
             from irs-lines.md.",
        ),
        irs(
            "irs-pps",
            "IRS Practitioner Priority Service",
            "+18668604259",
            vec![
                step("welcome", "individual account press 1", "1", 15_000),
                step("info", "have your caf number ready", "", 15_000),
                step(
                    "account",
                    "for all other account questions press 3",
                    "3",
                    240_000,
                ),
            ],
            "PPS asks '1' early and a second selection minutes in (after ~2.5 min of music); \
             since Oct 2022 it may ask a voice challenge a human must answer (irs-lines.md).",
        ),
    ]
}

/// Validates a custom destination; INVALID_ARGUMENT names the field.
pub fn validate(d: &Destination) -> Result<()> {
    let id = &d.destination_id;
    if id.is_empty()
        || id.len() > 64
        || !id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::invalid(
            "destination.destination_id",
            "1..=64 characters of [a-z0-9-]",
        ));
    }
    let digits = d.phone_number.strip_prefix('+').unwrap_or("");
    if digits.len() < 8
        || digits.len() > 15
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || digits.starts_with('0')
    {
        return Err(Error::invalid(
            "destination.phone_number",
            "must be E.164, e.g. +18668604259",
        ));
    }
    if jiff::tz::TimeZone::get(&d.time_zone).is_err() {
        return Err(Error::invalid(
            "destination.time_zone",
            format!("unknown IANA time zone {:?}", d.time_zone),
        ));
    }
    for (i, h) in d.business_hours.iter().enumerate() {
        if h.weekdays.is_empty() || h.weekdays.iter().any(|w| !(1..=7).contains(w)) {
            return Err(Error::invalid(
                format!("destination.business_hours[{i}].weekdays"),
                "ISO weekdays 1..=7, at least one",
            ));
        }
        if h.open_minute >= h.close_minute || h.close_minute > 1440 {
            return Err(Error::invalid(
                format!("destination.business_hours[{i}]"),
                "need 0 <= open_minute < close_minute <= 1440",
            ));
        }
    }
    if let Some(plan) = &d.ivr_plan {
        for (i, s) in plan.steps.iter().enumerate() {
            if !s
                .digits
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
            {
                return Err(Error::invalid(
                    format!("destination.ivr_plan.steps[{i}].digits"),
                    "DTMF digits are 0-9, * and #",
                ));
            }
        }
    }
    Ok(())
}

/// Observed date of a fixed-date holiday (Saturday → Friday, Sunday → Monday).
fn observed(date: Date) -> Date {
    match date.weekday() {
        Weekday::Saturday => date.yesterday().unwrap_or(date),
        Weekday::Sunday => date.tomorrow().unwrap_or(date),
        _ => date,
    }
}

/// True when `date` is a US federal holiday (observed).
pub fn is_us_federal_holiday(date: Date) -> bool {
    let y = date.year();
    let nth = |month: i8, n: i8, wd: Weekday| {
        Date::new(y, month, 1)
            .ok()
            .and_then(|d| d.nth_weekday_of_month(n, wd).ok())
    };
    let fixed = |month: i8, day: i8| Date::new(y, month, day).ok().map(observed);
    let mut days = vec![
        fixed(1, 1),
        nth(1, 3, Weekday::Monday),
        nth(2, 3, Weekday::Monday),
        nth(5, -1, Weekday::Monday),
        fixed(6, 19),
        fixed(7, 4),
        nth(9, 1, Weekday::Monday),
        nth(10, 2, Weekday::Monday),
        fixed(11, 11),
        nth(11, 4, Weekday::Thursday),
        fixed(12, 25),
    ];
    // New Year's Day of next year observed on Dec 31.
    days.push(Date::new(y + 1, 1, 1).ok().map(observed));
    days.into_iter().flatten().any(|d| d == date)
}

/// Whether the destination is open at `now`.
pub fn open_at(d: &Destination, now: jiff::Timestamp) -> bool {
    let Ok(tz) = jiff::tz::TimeZone::get(&d.time_zone) else {
        return false;
    };
    let local = now.to_zoned(tz);
    if d.closed_on_us_federal_holidays && is_us_federal_holiday(local.date()) {
        return false;
    }
    let weekday = local.weekday().to_monday_one_offset() as u32;
    let minute = local.hour() as u32 * 60 + local.minute() as u32;
    d.business_hours.iter().any(|h| {
        h.weekdays.contains(&weekday) && h.open_minute <= minute && minute < h.close_minute
    })
}

/// Every destination (presets first for equal ids: presets cannot be replaced), ordered by id,
/// with `open_now` computed.
pub async fn list(store: &Store) -> Result<Vec<Destination>> {
    let mut all = presets();
    for custom in store.custom_destinations().await? {
        if !all
            .iter()
            .any(|p| p.destination_id == custom.destination_id)
        {
            all.push(custom);
        }
    }
    let now = jiff::Timestamp::now();
    for d in &mut all {
        d.open_now = open_at(d, now);
    }
    all.sort_by(|a, b| a.destination_id.cmp(&b.destination_id));
    Ok(all)
}

/// One destination or DESTINATION_NOT_FOUND.
pub async fn get(store: &Store, id: &str) -> Result<Destination> {
    list(store)
        .await?
        .into_iter()
        .find(|d| d.destination_id == id)
        .ok_or_else(|| Error::DestinationNotFound(id.to_owned()))
}

/// Creates or replaces a custom destination.
pub async fn upsert(store: &Store, mut d: Destination) -> Result<Destination> {
    validate(&d)?;
    if presets()
        .iter()
        .any(|p| p.destination_id == d.destination_id)
    {
        return Err(Error::FailedArgument {
            field: "destination.destination_id".into(),
            description: format!(
                "{} is a built-in preset and cannot be replaced",
                d.destination_id
            ),
        });
    }
    d.preset = false;
    d.open_now = false;
    store.put_destination(&d).await?;
    d.open_now = open_at(&d, jiff::Timestamp::now());
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federal_holidays() {
        assert!(is_us_federal_holiday(jiff::civil::date(2026, 7, 3))); // July 4 is a Saturday
        assert!(is_us_federal_holiday(jiff::civil::date(2025, 11, 27))); // Thanksgiving
        assert!(is_us_federal_holiday(jiff::civil::date(2025, 1, 20))); // MLK day
        assert!(!is_us_federal_holiday(jiff::civil::date(2025, 11, 26)));
    }

    #[test]
    fn pps_hours() {
        let pps = presets()
            .into_iter()
            .find(|d| d.destination_id == "irs-pps")
            .unwrap();
        // Tuesday 2025-11-25 12:00 New York = 17:00 UTC: open.
        assert!(open_at(&pps, "2025-11-25T17:00:00Z".parse().unwrap()));
        // 20:00 New York: closed.
        assert!(!open_at(&pps, "2025-11-26T01:00:00Z".parse().unwrap()));
        // Saturday: closed.
        assert!(!open_at(&pps, "2025-11-29T17:00:00Z".parse().unwrap()));
        // Thanksgiving: closed.
        assert!(!open_at(&pps, "2025-11-27T17:00:00Z".parse().unwrap()));
    }

    #[test]
    fn validation_names_fields() {
        let mut d = presets()[0].clone();
        d.destination_id = "my-line".into();
        assert!(validate(&d).is_ok());
        d.time_zone = "Mars/Olympus".into();
        assert!(
            matches!(validate(&d), Err(Error::InvalidArgument { field, .. }) if field == "destination.time_zone")
        );
    }
}
