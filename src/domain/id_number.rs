//! Resident identity numbers (GB 11643-1999): validation, birth date, sex, age and masking.

use super::text::fold_width;

/// ISO 7064 MOD 11-2 weights for the first 17 digits.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for each remainder 0..=10 of the weighted sum.
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Accepts 男/女, 男性/女性, M/F and male/female in any case, as rosters write them.
    pub fn parse(s: &str) -> Result<Sex, &'static str> {
        match fold_width(s).to_ascii_lowercase().as_str() {
            "男" | "男性" | "m" | "male" => Ok(Sex::Male),
            "女" | "女性" | "f" | "female" => Ok(Sex::Female),
            _ => Err("err.sex"),
        }
    }

    /// The stored form: "M" or "F".
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

/// An 18-character resident ID whose check character, area code and birth date have been verified;
/// always ASCII digits with an upper-case X as the only possible letter, in the last place.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResidentId(String);

impl ResidentId {
    /// Accepts surrounding spaces, full-width digits and a lower-case x. Stays pure: a birth date
    /// in the future passes here, so callers compare `birth_date()` with today themselves.
    pub fn parse(input: &str) -> Result<ResidentId, &'static str> {
        let s = fold_width(input).to_ascii_uppercase();
        let len = s.chars().count();
        // Characters are checked before the length so that "340524-19800101-001X" is answered
        // with "remove the dashes" rather than a puzzling "wrong length".
        let chars_ok = s
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || (c == 'X' && i + 1 == len));
        if !chars_ok {
            return Err("err.id_chars");
        }
        if len != 18 {
            return Err("err.id_length");
        }
        let b = s.as_bytes();
        if b[0] == b'0' {
            return Err("err.id_area");
        }
        let (y, m, d) = birth_of(b);
        if y < 1900 || !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err("err.id_birth");
        }
        if b[17] != check_char(b) {
            return Err("err.id_check");
        }
        Ok(ResidentId(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// (year, month, day) from digits 7–14.
    pub fn birth_date(&self) -> (i32, u32, u32) {
        birth_of(self.0.as_bytes())
    }

    /// The 17th digit is odd for men and even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Shown to viewers who do not need the full number: area code and last four, `340524********001X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Full years of age on `date`; 0 for a date before the birth. Someone born on 29 February
    /// turns a year older on 1 March in common years, since their birthday has not yet come on 28 February.
    pub fn age_on(&self, date: (i32, u32, u32)) -> u32 {
        let (by, bm, bd) = self.birth_date();
        let (y, m, d) = date;
        let years = y - by - i32::from((m, d) < (bm, bd));
        u32::try_from(years).unwrap_or(0)
    }
}

/// Reads digits 7–14 of an ID already known to be ASCII digits there.
fn birth_of(b: &[u8]) -> (i32, u32, u32) {
    let num = |r: std::ops::Range<usize>| b[r].iter().fold(0, |n, &c| n * 10 + u32::from(c - b'0'));
    let year = i32::try_from(num(6..10)).unwrap_or(0);
    (year, num(10..12), num(12..14))
}

fn check_char(b: &[u8]) -> u8 {
    let sum: u32 = b.iter().zip(WEIGHTS).map(|(&c, w)| u32::from(c - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize]
}

// Kept local rather than borrowed from the dates module so the ID rules stand on their own.
fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Completes 17 digits with their check character, to build IDs for date and area cases.
    fn with_check(first17: &str) -> String {
        format!("{first17}{}", check_char(first17.as_bytes()) as char)
    }

    #[test]
    fn the_documented_example_is_valid() {
        let id = ResidentId::parse("34052419800101001X").unwrap();
        assert_eq!(id.as_str(), "34052419800101001X");
        assert_eq!(id.birth_date(), (1980, 1, 1));
        assert_eq!(id.masked(), "340524********001X");
    }

    #[test]
    fn check_character_matches_the_standards_own_examples() {
        // The two sample numbers printed in GB 11643-1999, so the weights and the table are
        // checked against something other than this module's own arithmetic.
        assert_eq!(check_char(b"11010519491231002"), b'X');
        assert_eq!(check_char(b"44052418800101001"), b'4');
        assert!(ResidentId::parse("11010519491231002X").is_ok());
        // Born 1880, so refused for the date even though its check character is right.
        assert_eq!(ResidentId::parse("440524188001010014"), Err("err.id_birth"));
    }

    #[test]
    fn lower_case_x_is_stored_upper_case() {
        let id = ResidentId::parse("34052419800101001x").unwrap();
        assert_eq!(id.as_str(), "34052419800101001X");
    }

    #[test]
    fn full_width_digits_and_surrounding_spaces() {
        let id = ResidentId::parse("\u{3000}３４０５２４１９８００１０１００１ｘ  ").unwrap();
        assert_eq!(id.as_str(), "34052419800101001X");
        assert_eq!(
            ResidentId::parse(" 34052419800101001X\t").unwrap().as_str(),
            "34052419800101001X"
        );
    }

    #[test]
    fn wrong_length() {
        for s in [
            "3405241980010100",
            "34052419800101001",
            "340524198001010010X",
            "340524800101001",
            "",
        ] {
            assert_eq!(ResidentId::parse(s), Err("err.id_length"), "{s:?}");
        }
    }

    #[test]
    fn bad_characters() {
        for s in [
            "34052419800101001A",
            "340524-19800101-001X",
            "340524 19800101 001X",
            "3405241980010100X1",
            "X4052419800101001X",
            "三40524198001010010",
            "abc",
        ] {
            assert_eq!(ResidentId::parse(s), Err("err.id_chars"), "{s:?}");
        }
    }

    #[test]
    fn bad_area_code() {
        assert_eq!(ResidentId::parse(&with_check("04052419800101001")), Err("err.id_area"));
    }

    #[test]
    fn invalid_birth_dates() {
        for first17 in [
            "34052419801301001", // month 13
            "34052419800001001", // month 0
            "34052419800100001", // day 0
            "34052419800431001", // 31 April
            "34052418991231001", // before 1900
            "34052419000229001", // 1900 was no leap year
            "34052420230229001",
        ] {
            assert_eq!(
                ResidentId::parse(&with_check(first17)),
                Err("err.id_birth"),
                "{first17}"
            );
        }
    }

    #[test]
    fn leap_days() {
        let id = ResidentId::parse(&with_check("34052420000229001")).unwrap();
        assert_eq!(id.birth_date(), (2000, 2, 29));
        assert!(ResidentId::parse(&with_check("34052420240229001")).is_ok());
        assert_eq!(ResidentId::parse(&with_check("34052419000229001")), Err("err.id_birth"));
    }

    #[test]
    fn wrong_check_character() {
        for s in [
            "340524198001010011",
            "340524198001010010",
            "34052419800101002X",
            "34052419800110001X",
        ] {
            assert_eq!(ResidentId::parse(s), Err("err.id_check"), "{s}");
        }
    }

    #[test]
    fn sex_from_the_17th_digit() {
        let id = ResidentId::parse("34052419800101001X").unwrap();
        assert_eq!(&id.as_str()[16..17], "1");
        assert_eq!(id.sex(), Sex::Male);
        let id = ResidentId::parse("11010519491231002X").unwrap();
        assert_eq!(&id.as_str()[16..17], "2");
        assert_eq!(id.sex(), Sex::Female);
    }

    #[test]
    fn age_in_full_years() {
        let id = ResidentId::parse("34052419800101001X").unwrap();
        assert_eq!(id.age_on((2019, 12, 31)), 39);
        assert_eq!(id.age_on((2020, 1, 1)), 40);
        assert_eq!(id.age_on((2020, 6, 15)), 40);
        assert_eq!(id.age_on((1980, 1, 1)), 0);
        assert_eq!(id.age_on((1979, 12, 31)), 0);

        let leapling = ResidentId::parse(&with_check("34052420000229002")).unwrap();
        assert_eq!(leapling.age_on((2001, 2, 28)), 0);
        assert_eq!(leapling.age_on((2001, 3, 1)), 1);
        assert_eq!(leapling.age_on((2004, 2, 28)), 3);
        assert_eq!(leapling.age_on((2004, 2, 29)), 4);
    }

    #[test]
    fn sex_as_rosters_write_it() {
        for s in ["男", "男性", "M", "m", "male", "Male", " 男 ", "Ｍ"] {
            assert_eq!(Sex::parse(s), Ok(Sex::Male), "{s:?}");
        }
        for s in ["女", "女性", "F", "f", "female", "FEMALE", "\u{3000}女"] {
            assert_eq!(Sex::parse(s), Ok(Sex::Female), "{s:?}");
        }
        for s in ["", "x", "未知", "男女", "man"] {
            assert_eq!(Sex::parse(s), Err("err.sex"), "{s:?}");
        }
        assert_eq!(Sex::Male.as_str(), "M");
        assert_eq!(Sex::Female.as_str(), "F");
        assert_eq!(Sex::parse(Sex::Female.as_str()), Ok(Sex::Female));
    }
}
