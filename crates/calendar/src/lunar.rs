//! The Vietnamese lunisolar calendar (âm lịch), computed for UTC+7.
//!
//! Lunar holidays (Tết, Hùng Kings' day) need the lunar date of a solar day
//! and back. This is Hồ Ngọc Đức's well-known algorithm, written here from
//! the published astronomical formulas rather than taken from a crate: no
//! maintained Rust crate computes the *Vietnamese* calendar (the Chinese
//! calendar crates use UTC+8, and the two calendars differ in some years,
//! e.g. Tết 1985 was on 21 January in Vietnam and 20 February in China).
//!
//! The rules, as for the Chinese calendar but on Hanoi's meridian (UTC+7,
//! official for the lunar calendar in the North since 8 August 1967 and in
//! the whole country since 1975):
//! - a month starts on the local day of an astronomical new moon;
//! - month 11 is the month containing the December solstice (sun longitude
//!   270°);
//! - a lunar year between two months 11 with 13 months has a leap month:
//!   the first month after month 11 in which the sun enters no new 30°
//!   sector of longitude (no "major solar term"); it takes the number of the
//!   month before it.
//!
//! Hồ Ngọc Đức's program takes new moons from a short lunar series that
//! is a few minutes off at worst; here they come from the full series of
//! Meeus, "Astronomical Algorithms" ch. 49 (seconds), with ΔT, and sun
//! longitudes from Meeus's low-precision solar formula corrected for
//! nutation and aberration (apparent longitude, within 0.01°). Every lunar
//! year 1900–2100 was checked against a table computed independently from
//! the VSOP87/ELP2000 ephemeris (`tests/data/vn_lunar_1900_2100.txt`): all
//! agree except one month boundary in July 1967, where the new moon came
//! 2.5 s after midnight. Compared with Hồ Ngọc Đức's short series, four
//! month boundaries in 1900–2100 move by a day, each at a new moon within
//! 90 s of midnight: June 1944 and December 2072 and November 2077 (where
//! this one agrees with the ephemeris; the last two depend on the future
//! ΔT, so no calendar can be sure of them yet) and July 1967 (above).
//! The conversion also avoids the "day 0" his published conversion
//! function gives on the eve of a new moon just after midnight (e.g.
//! 7 May 2054).
//!
//! Dates before 1968 are those of the UTC+7 calendar; the calendar actually
//! used in Vietnam then followed UTC+8 (and South Vietnam kept it until
//! 1975), so for those years this is the modern reckoning, not history.
//!
//! Why one file over 500 lines: the algorithm (new moons, solar terms,
//! the leap month) is one chain of formulas best read in one place; a
//! quarter of the file is its tests against the published tables.

use std::f64::consts::PI;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Hours east of UTC of the meridian the Vietnamese calendar is computed
/// for.
pub const VIETNAM_UTC_OFFSET_HOURS: f64 = 7.0;

/// Julian day number of 0001-01-01 (proleptic Gregorian) minus one, so that
/// `jdn = num_days_from_ce + JDN_OFFSET`.
const JDN_OFFSET: i64 = 1_721_425;

/// Julian date of the first new moon of 1900 (Meeus's lunation 0 of this
/// series), the origin of the lunation count `k`.
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// The mean synodic month in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Lunar years accepted by [`lunar_to_solar`]: well inside the dates
/// chrono represents. (The astronomy is only meant for 1900–2100; far from
/// it the results drift from the real sky, but stay well-formed.)
const SUPPORTED_YEARS: std::ops::RangeInclusive<i32> = -200_000..=200_000;

/// A date of the Vietnamese lunar calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LunarDate {
    /// The lunar year, numbered as the solar year in which it mostly falls
    /// (lunar 1/1/2026 is 17 February 2026).
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    /// 1 to 30.
    pub day: u32,
    /// Whether the month is the leap (intercalary) month following the
    /// ordinary month of the same number.
    pub leap: bool,
}

/// The lunar date of a solar date, in the Vietnamese (UTC+7) calendar.
pub fn solar_to_lunar(date: NaiveDate) -> LunarDate {
    solar_to_lunar_at(date, VIETNAM_UTC_OFFSET_HOURS)
}

/// The solar date of a lunar date in the Vietnamese (UTC+7) calendar, or
/// `None` when that lunar date does not exist: a month number outside
/// 1–12, a day past the month's 29 or 30 days, or a leap month the year
/// does not have.
pub fn lunar_to_solar(
    lunar_year: i32,
    lunar_month: u32,
    lunar_day: u32,
    leap: bool,
) -> Option<NaiveDate> {
    lunar_to_solar_at(
        lunar_year,
        lunar_month,
        lunar_day,
        leap,
        VIETNAM_UTC_OFFSET_HOURS,
    )
}

/// The leap month of a lunar year (the number of the ordinary month it
/// follows), if the year has one.
pub fn leap_month(lunar_year: i32) -> Option<u32> {
    leap_month_at(lunar_year, VIETNAM_UTC_OFFSET_HOURS)
}

/// [`solar_to_lunar`] for a calendar computed on another meridian, given in
/// hours east of UTC (8.0 gives the Chinese calendar's rules). Used to show
/// where the two calendars part.
pub fn solar_to_lunar_at(date: NaiveDate, utc_offset_hours: f64) -> LunarDate {
    let tz = utc_offset_hours;
    let day_number = jdn(date);
    // The lunation whose new moon day is the last one not after the date.
    // The estimate from the mean month can be one off either way when a
    // new moon is near midnight (Hồ Ngọc Đức's program then returns a
    // "day 0"), so settle it on the true new moon days.
    let mut k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    while new_moon_day(k, tz) > day_number {
        k -= 1;
    }
    while new_moon_day(k + 1, tz) <= day_number {
        k += 1;
    }
    let month_start = new_moon_day(k, tz);
    let year = date.year();
    let mut a11 = month11_start(year, tz);
    let b11;
    let mut lunar_year;
    if a11 >= month_start {
        lunar_year = year;
        b11 = a11;
        a11 = month11_start(year - 1, tz);
    } else {
        lunar_year = year + 1;
        b11 = month11_start(year + 1, tz);
    }
    let day = (day_number - month_start + 1) as u32;
    // Whole months since month 11; months last 29 or 30 days, so dividing
    // by 29 counts them exactly for up to 13 months.
    let diff = (month_start - a11) / 29;
    let mut leap = false;
    let mut month = diff + 11;
    if b11 - a11 > 365 {
        let leap_offset = leap_month_offset(a11, tz);
        if diff >= leap_offset {
            month = diff + 10;
            leap = diff == leap_offset;
        }
    }
    if month > 12 {
        month -= 12;
    }
    if month >= 11 && diff < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        year: lunar_year,
        month: month as u32,
        day,
        leap,
    }
}

/// [`lunar_to_solar`] for a calendar computed on another meridian.
pub fn lunar_to_solar_at(
    lunar_year: i32,
    lunar_month: u32,
    lunar_day: u32,
    leap: bool,
    utc_offset_hours: f64,
) -> Option<NaiveDate> {
    if !(1..=12).contains(&lunar_month)
        || !(1..=30).contains(&lunar_day)
        || !SUPPORTED_YEARS.contains(&lunar_year)
    {
        return None;
    }
    let tz = utc_offset_hours;
    let (a11, b11) = if lunar_month < 11 {
        (
            month11_start(lunar_year - 1, tz),
            month11_start(lunar_year, tz),
        )
    } else {
        (
            month11_start(lunar_year, tz),
            month11_start(lunar_year + 1, tz),
        )
    };
    let mut offset = i64::from(lunar_month) - 11;
    if offset < 0 {
        offset += 12;
    }
    if b11 - a11 > 365 {
        let leap_offset = leap_month_offset(a11, tz);
        // Offset 1 is a leap 11, offset 2 a leap 12, offset 3 a leap 1...
        let leap_month = (leap_offset + 9) % 12 + 1;
        if leap && i64::from(lunar_month) != leap_month {
            return None;
        }
        if leap || offset >= leap_offset {
            offset += 1;
        }
    } else if leap {
        return None;
    }
    let k = (0.5 + (a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    let month_start = new_moon_day(k + offset, tz);
    let next_month_start = new_moon_day(k + offset + 1, tz);
    if i64::from(lunar_day) > next_month_start - month_start {
        return None;
    }
    from_jdn(month_start + i64::from(lunar_day) - 1)
}

fn leap_month_at(lunar_year: i32, tz: f64) -> Option<u32> {
    if !SUPPORTED_YEARS.contains(&lunar_year) {
        return None;
    }
    // Months 1 to 10 lie between month 11 of the year before and month 11
    // of this year, months 11 and 12 after the latter.
    let cycle_leap = |solar_year: i32| {
        let (a11, b11) = (
            month11_start(solar_year, tz),
            month11_start(solar_year + 1, tz),
        );
        if b11 - a11 <= 365 {
            return None;
        }
        // Offset 1 is a leap 11, offset 2 a leap 12, offset 3 a leap 1...
        let offset = leap_month_offset(a11, tz);
        Some((offset + 9) % 12 + 1)
    };
    match cycle_leap(lunar_year - 1) {
        Some(month) if month <= 10 => u32::try_from(month).ok(),
        _ => match cycle_leap(lunar_year) {
            Some(month) if month >= 11 => u32::try_from(month).ok(),
            _ => None,
        },
    }
}

/// The Julian day number of a date (the day starting at the noon of it).
fn jdn(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + JDN_OFFSET
}

fn from_jdn(jdn: i64) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(jdn - JDN_OFFSET).ok()?)
}

/// The Julian date (UT) of the `k`-th new moon after the one of
/// 1900-01-01: Meeus, "Astronomical Algorithms" (2nd ed.), ch. 49, with
/// its periodic and planetary terms (within seconds of the ELP2000 lunar
/// theory), converted from dynamical time with [`delta_t_days`].
fn new_moon(k: i64) -> f64 {
    // Meeus counts lunations from the new moon of 6 January 2000.
    let k = (k - 1237) as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let jde = 2_451_550.097_66 + 29.530_588_861 * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let rad = |deg: f64| deg.to_radians();
    // Sun's mean anomaly, moon's mean anomaly, moon's argument of latitude,
    // longitude of the ascending node.
    let m = rad(2.553_4 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3);
    let mp = rad(
        201.564_3 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4,
    );
    let f = rad(
        160.710_8 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4,
    );
    let om = rad(124.774_6 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3);
    let periodic = -0.407_20 * mp.sin()
        + 0.172_41 * e * m.sin()
        + 0.016_08 * (2.0 * mp).sin()
        + 0.010_39 * (2.0 * f).sin()
        + 0.007_39 * e * (mp - m).sin()
        - 0.005_14 * e * (mp + m).sin()
        + 0.002_08 * e * e * (2.0 * m).sin()
        - 0.001_11 * (mp - 2.0 * f).sin()
        - 0.000_57 * (mp + 2.0 * f).sin()
        + 0.000_56 * e * (2.0 * mp + m).sin()
        - 0.000_42 * (3.0 * mp).sin()
        + 0.000_42 * e * (m + 2.0 * f).sin()
        + 0.000_38 * e * (m - 2.0 * f).sin()
        - 0.000_24 * e * (2.0 * mp - m).sin()
        - 0.000_17 * om.sin()
        - 0.000_07 * (mp + 2.0 * m).sin()
        + 0.000_04 * (2.0 * mp - 2.0 * f).sin()
        + 0.000_04 * (3.0 * m).sin()
        + 0.000_03 * (mp + m - 2.0 * f).sin()
        + 0.000_03 * (2.0 * mp + 2.0 * f).sin()
        - 0.000_03 * (mp + m + 2.0 * f).sin()
        + 0.000_03 * (mp - m + 2.0 * f).sin()
        - 0.000_02 * (mp - m - 2.0 * f).sin()
        - 0.000_02 * (3.0 * mp + m).sin()
        + 0.000_02 * (4.0 * mp).sin();
    // Planetary arguments: (coefficient, A at k = 0, A per lunation).
    const PLANETARY: [(f64, f64, f64); 14] = [
        (0.000_325, 299.77, 0.107_408),
        (0.000_165, 251.88, 0.016_321),
        (0.000_164, 251.83, 26.651_886),
        (0.000_126, 349.42, 36.412_478),
        (0.000_110, 84.66, 18.206_239),
        (0.000_062, 141.74, 53.303_771),
        (0.000_060, 207.14, 2.453_732),
        (0.000_056, 154.84, 7.306_860),
        (0.000_047, 34.52, 27.261_239),
        (0.000_042, 207.19, 0.121_824),
        (0.000_040, 291.34, 1.844_379),
        (0.000_037, 161.72, 24.198_154),
        (0.000_035, 239.56, 25.513_099),
        (0.000_023, 331.55, 3.592_518),
    ];
    let mut planetary = 0.0;
    for (i, &(coefficient, a0, a1)) in PLANETARY.iter().enumerate() {
        let mut a = a0 + a1 * k;
        if i == 0 {
            a -= 0.009_173 * t2;
        }
        planetary += coefficient * rad(a).sin();
    }
    let jde = jde + periodic + planetary;
    jde - delta_t_days(jde)
}

/// ΔT = TT − UT in days at Julian date `jd`: the polynomials of Espenak
/// and Meeus (NASA, 2006), observed values up to 2005 and extrapolated
/// after. Beyond about 2050 ΔT is uncertain by a minute or more, which only
/// matters for a new moon within a minute of midnight.
fn delta_t_days(jd: f64) -> f64 {
    let y = 2000.0 + (jd - 2_451_544.5) / 365.2425;
    let seconds = if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t * t + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t * t + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t * t / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t * t / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.334_5 * t - 0.060_374 * t * t
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t * t
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.562_8 * (2150.0 - y)
    };
    seconds / 86_400.0
}

/// The local day (Julian day number) of the `k`-th new moon.
fn new_moon_day(k: i64, tz: f64) -> i64 {
    (new_moon(k) + 0.5 + tz / 24.0).floor() as i64
}

/// The sun's apparent ecliptic longitude in radians, in [0, 2π), at Julian
/// date `jd` (Meeus, "Astronomical Algorithms", ch. 25, low precision).
fn sun_longitude(jd: f64) -> f64 {
    let t = (jd - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let dr = PI / 180.0;
    let m = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * (dr * m).sin()
        + (0.019_993 - 0.000_101 * t) * (dr * 2.0 * m).sin()
        + 0.000_289 * (dr * 3.0 * m).sin();
    let omega = 125.04 - 1934.136 * t;
    let lambda = (l0 + c - 0.005_69 - 0.004_78 * (omega * dr).sin()) * dr;
    lambda.rem_euclid(2.0 * PI)
}

/// The 30° sector (0 = from the March equinox) the sun is in at the local
/// midnight starting day `day_number`.
fn sun_sector(day_number: i64, tz: f64) -> i64 {
    (sun_longitude(day_number as f64 - 0.5 - tz / 24.0) / PI * 6.0).floor() as i64
}

/// The first day of the lunar month containing the December solstice of
/// `year`.
fn month11_start(year: i32, tz: f64) -> i64 {
    let dec31 = NaiveDate::from_ymd_opt(year, 12, 31).map_or(0, jdn);
    let k = ((dec31 as f64 - 2_415_021.0) / SYNODIC_MONTH).floor() as i64;
    let nm = new_moon_day(k, tz);
    // Already past the solstice at the start of that new moon's day: month
    // 11 is the one before.
    if sun_sector(nm, tz) >= 9 {
        new_moon_day(k - 1, tz)
    } else {
        nm
    }
}

/// How many months after month 11 (starting on day `a11`) the leap month
/// comes: the first month during which the sun stays in one sector.
fn leap_month_offset(a11: i64, tz: f64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut arc = sun_sector(new_moon_day(k + i, tz), tz);
    loop {
        let last = arc;
        i += 1;
        arc = sun_sector(new_moon_day(k + i, tz), tz);
        if arc == last || i >= 14 {
            return i - 1;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn tet(year: i32) -> NaiveDate {
        lunar_to_solar(year, 1, 1, false).unwrap()
    }

    #[test]
    fn julian_day_numbers() {
        assert_eq!(jdn(d(2000, 1, 1)), 2_451_545);
        assert_eq!(jdn(d(1900, 1, 1)), 2_415_021);
        assert_eq!(from_jdn(2_451_545), Some(d(2000, 1, 1)));
    }

    #[test]
    fn tet_in_recent_and_coming_years() {
        assert_eq!(tet(2023), d(2023, 1, 22));
        assert_eq!(tet(2024), d(2024, 2, 10));
        assert_eq!(tet(2025), d(2025, 1, 29));
        assert_eq!(tet(2026), d(2026, 2, 17));
        assert_eq!(tet(2027), d(2027, 2, 6));
    }

    /// Years in which the new moon of Tết falls between 23:00 and midnight
    /// in Hanoi, i.e. after midnight in Beijing, or in which the solstice
    /// moves month 11: the Vietnamese and Chinese Tết differ.
    #[test]
    fn tet_where_vietnam_and_china_differ() {
        // 1985: solstice 21 Dec 1984 23:23 UTC+7 but 22 Dec 00:23 UTC+8, so
        // month 11 differs and Vietnam's Tết came a month earlier.
        assert_eq!(tet(1985), d(1985, 1, 21));
        assert_eq!(
            lunar_to_solar_at(1985, 1, 1, false, 8.0),
            Some(d(1985, 2, 20))
        );
        // 2007: new moon 17 Feb 2007 16:14 UTC.
        assert_eq!(tet(2007), d(2007, 2, 17));
        assert_eq!(
            lunar_to_solar_at(2007, 1, 1, false, 8.0),
            Some(d(2007, 2, 18))
        );
        // 1969: new moon 16 Feb 1969 16:25 UTC.
        assert_eq!(tet(1969), d(1969, 2, 16));
        assert_eq!(
            lunar_to_solar_at(1969, 1, 1, false, 8.0),
            Some(d(1969, 2, 17))
        );
        // 1968, the Tết offensive: North Vietnam's new calendar put Tết on
        // 29 January, the South's (UTC+8) on the 30th.
        assert_eq!(tet(1968), d(1968, 1, 29));
        assert_eq!(
            lunar_to_solar_at(1968, 1, 1, false, 8.0),
            Some(d(1968, 1, 30))
        );
        // 2030: new moon 2 Feb 2030 16:07 UTC.
        assert_eq!(tet(2030), d(2030, 2, 2));
        assert_eq!(
            lunar_to_solar_at(2030, 1, 1, false, 8.0),
            Some(d(2030, 2, 3))
        );
    }

    #[test]
    fn solar_to_lunar_examples() {
        assert_eq!(
            solar_to_lunar(d(2026, 2, 17)),
            LunarDate {
                year: 2026,
                month: 1,
                day: 1,
                leap: false
            }
        );
        // The eve of Tết Bính Ngọ is the 29th: month 12 of Ất Tỵ is short.
        assert_eq!(
            solar_to_lunar(d(2026, 2, 16)),
            LunarDate {
                year: 2025,
                month: 12,
                day: 29,
                leap: false
            }
        );
        // 2025 had a leap 6th month (25 July – 22 August 2025).
        assert_eq!(leap_month(2025), Some(6));
        assert_eq!(
            solar_to_lunar(d(2025, 7, 25)),
            LunarDate {
                year: 2025,
                month: 6,
                day: 1,
                leap: true
            }
        );
        assert_eq!(lunar_to_solar(2025, 6, 1, true), Some(d(2025, 7, 25)));
        // 2023 had a leap 2nd month.
        assert_eq!(leap_month(2023), Some(2));
        assert_eq!(leap_month(2024), None);
        // Hùng Kings' day (10/3) 2026.
        assert_eq!(lunar_to_solar(2026, 3, 10, false), Some(d(2026, 4, 26)));
    }

    #[test]
    fn nonexistent_lunar_dates() {
        assert_eq!(lunar_to_solar(2026, 13, 1, false), None);
        assert_eq!(lunar_to_solar(2026, 1, 0, false), None);
        assert_eq!(lunar_to_solar(2024, 3, 1, true), None);
        assert_eq!(lunar_to_solar(2025, 5, 1, true), None);
        // Month 12 of Ất Tỵ (2025) has 29 days.
        assert_eq!(lunar_to_solar(2025, 12, 30, false), None);
        assert!(lunar_to_solar(2025, 12, 29, false).is_some());
        assert_eq!(lunar_to_solar(i32::MIN, 1, 1, false), None);
        assert_eq!(leap_month(i32::MAX), None);
    }
}
