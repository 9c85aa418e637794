//! Business hours and US federal holidays (5 U.S.C. 6103), evaluated in the destination's
//! local time.

use jiff::civil::{Date, DateTime, Weekday};

/// Opening hours of a line: open on `weekdays` from `open_minute` to `close_minute` (minutes
/// after local midnight, close exclusive), closed on observed US federal holidays if asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessHours {
    /// Days the line is open.
    pub weekdays: Vec<Weekday>,
    /// Opening time, minutes after midnight local (07:00 = 420).
    pub open_minute: u32,
    /// Closing time, minutes after midnight local, exclusive (19:00 = 1140).
    pub close_minute: u32,
    /// Closed on (observed) US federal holidays.
    pub closed_on_federal_holidays: bool,
}

impl BusinessHours {
    /// IRS phone hours: Mon-Fri 07:00-19:00 local, closed on federal holidays (irs-lines.md).
    pub fn irs() -> BusinessHours {
        BusinessHours {
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
            ],
            open_minute: 7 * 60,
            close_minute: 19 * 60,
            closed_on_federal_holidays: true,
        }
    }

    /// Always open (test lines).
    pub fn always() -> BusinessHours {
        BusinessHours {
            weekdays: vec![
                Weekday::Monday,
                Weekday::Tuesday,
                Weekday::Wednesday,
                Weekday::Thursday,
                Weekday::Friday,
                Weekday::Saturday,
                Weekday::Sunday,
            ],
            open_minute: 0,
            close_minute: 24 * 60,
            closed_on_federal_holidays: false,
        }
    }

    /// Is the line open at this local date and time?
    pub fn is_open_local(&self, local: DateTime) -> bool {
        let date = local.date();
        if !self.weekdays.contains(&date.weekday()) {
            return false;
        }
        if self.closed_on_federal_holidays && federal_holiday(date).is_some() {
            return false;
        }
        let minute = local.hour() as u32 * 60 + local.minute() as u32;
        (self.open_minute..self.close_minute).contains(&minute)
    }

    /// Is the line open at `now` in IANA time zone `time_zone`?
    ///
    /// Errors: unknown time zone.
    pub fn is_open_at(&self, now: jiff::Timestamp, time_zone: &str) -> anyhow::Result<bool> {
        let tz = jiff::tz::TimeZone::get(time_zone)?;
        Ok(self.is_open_local(now.to_zoned(tz).datetime()))
    }
}

/// Observed date: Saturday holidays move to Friday, Sunday holidays to Monday.
fn observed(d: Date) -> Date {
    match d.weekday() {
        Weekday::Saturday => d.yesterday().unwrap_or(d),
        Weekday::Sunday => d.tomorrow().unwrap_or(d),
        _ => d,
    }
}

fn nth(year: i16, month: i8, n: i8, wd: Weekday) -> Option<Date> {
    Date::new(year, month, 1)
        .ok()?
        .nth_weekday_of_month(n, wd)
        .ok()
}

/// US federal holidays of `year` as (observed date, name). The fixed-date ones follow the
/// observed-day rule (a New Year's Day on Saturday is observed on Dec 31 of the year before,
/// and is listed under the year of Jan 1). Juneteenth counts from 2021.
pub fn federal_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let fixed = |m: i8, d: i8| Date::new(year, m, d).ok().map(observed);
    let mut v: Vec<(Option<Date>, &'static str)> = vec![
        (fixed(1, 1), "New Year's Day"),
        (
            nth(year, 1, 3, Weekday::Monday),
            "Birthday of Martin Luther King, Jr.",
        ),
        (nth(year, 2, 3, Weekday::Monday), "Washington's Birthday"),
        (nth(year, 5, -1, Weekday::Monday), "Memorial Day"),
        (fixed(7, 4), "Independence Day"),
        (nth(year, 9, 1, Weekday::Monday), "Labor Day"),
        (nth(year, 10, 2, Weekday::Monday), "Columbus Day"),
        (fixed(11, 11), "Veterans Day"),
        (nth(year, 11, 4, Weekday::Thursday), "Thanksgiving Day"),
        (fixed(12, 25), "Christmas Day"),
    ];
    if year >= 2021 {
        v.push((fixed(6, 19), "Juneteenth National Independence Day"));
    }
    let mut out: Vec<(Date, &'static str)> = v
        .into_iter()
        .filter_map(|(d, n)| d.map(|d| (d, n)))
        .collect();
    out.sort();
    out
}

/// The federal holiday observed on `date`, if any.
pub fn federal_holiday(date: Date) -> Option<&'static str> {
    [date.year(), date.year().saturating_add(1)]
        .into_iter()
        .flat_map(federal_holidays)
        .find(|(d, _)| *d == date)
        .map(|(_, n)| n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn observed_rules() {
        // July 4th 2026 is a Saturday: observed Friday July 3rd.
        assert_eq!(federal_holiday(date(2026, 7, 3)), Some("Independence Day"));
        assert_eq!(federal_holiday(date(2026, 7, 4)), None);
        // Jan 1 2022 was a Saturday: observed Friday Dec 31 2021.
        assert_eq!(federal_holiday(date(2021, 12, 31)), Some("New Year's Day"));
        // Christmas 2022 was a Sunday: observed Monday Dec 26.
        assert_eq!(federal_holiday(date(2022, 12, 26)), Some("Christmas Day"));
        // Thanksgiving: 4th Thursday of November.
        assert_eq!(
            federal_holiday(date(2025, 11, 27)),
            Some("Thanksgiving Day")
        );
        assert_eq!(
            federal_holiday(date(2026, 11, 26)),
            Some("Thanksgiving Day")
        );
        assert_eq!(federal_holiday(date(2025, 5, 26)), Some("Memorial Day"));
        assert_eq!(
            federal_holiday(date(2025, 1, 20)),
            Some("Birthday of Martin Luther King, Jr.")
        );
        assert_eq!(federal_holidays(2025).len(), 11);
        assert_eq!(federal_holidays(2020).len(), 10);
    }
}
