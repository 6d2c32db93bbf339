//! Property tests of the parsers: on any input they answer (never panic), and what they accept
//! they accept again in its stored form. Inputs come from a seeded generator, so a failure repeats.

#[cfg(test)]
mod tests {
    use crate::domain::dates::{format_ymd, parse_date, parse_year_month};
    use crate::domain::id_number::ResidentId;
    use crate::domain::phone::Phone;
    use crate::domain::politics::PoliticalStatus;
    use crate::domain::volunteer::{validate, RawVolunteer};

    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A string that looks like what people type into these fields, often almost right.
        fn text(&mut self) -> String {
            const PIECES: &[&str] = &[
                "0",
                "1",
                "2",
                "3",
                "5",
                "8",
                "9",
                "X",
                "x",
                "-",
                ".",
                "/",
                " ",
                "年",
                "月",
                "日",
                "号",
                "１",
                "９",
                "　",
                "+86",
                "1990",
                "2000",
                "02",
                "29",
                "13",
                "340524",
                "19800101",
                "001",
                "党员",
                "团员",
                "群众",
                "男",
                "女",
                "\u{0}",
                "é",
                "99999999999999999999",
                "0571-",
                "13812345678",
                "34052419800101001X",
            ];
            let n = (self.next() % 8) as usize;
            (0..n)
                .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
                .collect()
        }
    }

    #[test]
    fn parsers_answer_any_input_and_accept_their_own_output() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let s = g.text();
            if let Ok(id) = ResidentId::parse(&s) {
                assert_eq!(ResidentId::parse(id.as_str()).as_ref(), Ok(&id), "{s:?}");
                assert_eq!(id.masked().chars().count(), 18);
            }
            if let Some(p) = Phone::parse(&s) {
                assert_eq!(Phone::parse(p.as_str()), Some(p.clone()), "{s:?}");
                assert!(Phone::mask(p.as_str()).contains("****"));
            }
            if let Ok(d) = parse_date(&s) {
                assert_eq!(parse_date(&format_ymd(d)), Ok(d), "{s:?}");
            }
            let _ = parse_year_month(&s);
            if let Ok(status) = PoliticalStatus::parse(&s) {
                assert_eq!(PoliticalStatus::from_code(status.code()), Some(status));
            }
        }
    }

    #[test]
    fn a_roster_row_of_anything_is_checked_without_panicking() {
        let mut g = Gen(0xD1B5_4A32_D192_ED03);
        for _ in 0..5_000 {
            let raw = RawVolunteer {
                name: g.text(),
                sex: g.text(),
                birth_date: g.text(),
                id_type: g.text(),
                id_number: g.text(),
                phone: g.text(),
                residence: g.text(),
                political_status: g.text(),
                employer: g.text(),
                post: g.text(),
                skills: g.text(),
                categories: g.text(),
                is_manager: g.text(),
                guardian_name: g.text(),
                guardian_phone: g.text(),
            };
            let (fields, problems) = validate(&raw, "2026-04-20");
            if problems.is_empty() {
                // What passed is stored normalised: it passes again as typed from the record.
                assert!(!fields.name.is_empty() && Phone::parse(&fields.phone).is_some());
                if let Some(n) = &fields.id_number {
                    if fields.id_type == "resident_id" {
                        assert!(ResidentId::parse(n).is_ok());
                    }
                }
            }
        }
    }
}
