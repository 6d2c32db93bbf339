//! Political status (政治面貌) per GB/T 4762, plus 入党积极分子 which campaign rosters track alongside it.

use super::text::fold_width;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PoliticalStatus {
    /// 中共党员
    CpcMember,
    /// 中共预备党员
    CpcProbationary,
    /// 共青团员
    LeagueMember,
    /// 民革会员 (Revolutionary Committee of the Chinese Kuomintang)
    RcckmtMember,
    /// 民盟盟员 (China Democratic League)
    CdlMember,
    /// 民建会员 (China National Democratic Construction Association)
    CndcaMember,
    /// 民进会员 (China Association for Promoting Democracy)
    CapdMember,
    /// 农工党党员 (Chinese Peasants' and Workers' Democratic Party)
    CpwdpMember,
    /// 致公党党员 (China Zhi Gong Party)
    ZhigongMember,
    /// 九三学社社员 (Jiusan Society)
    JiusanMember,
    /// 台盟盟员 (Taiwan Democratic Self-Government League)
    TdsglMember,
    /// A member of one of the eight democratic parties, which one not said ("民主党派"): GB/T 4762
    /// has no code for it; the roster keeps it and says so (a warning on import).
    DemocraticPartyUnspecified,
    /// 无党派人士
    NonParty,
    /// 群众
    Masses,
    /// 入党积极分子
    PartyActivist,
}

impl PoliticalStatus {
    /// In GB/T 4762 order, with 入党积极分子 last; the order choice lists show.
    pub const ALL: [Self; 15] = [
        Self::CpcMember,
        Self::CpcProbationary,
        Self::LeagueMember,
        Self::RcckmtMember,
        Self::CdlMember,
        Self::CndcaMember,
        Self::CapdMember,
        Self::CpwdpMember,
        Self::ZhigongMember,
        Self::JiusanMember,
        Self::TdsglMember,
        Self::DemocraticPartyUnspecified,
        Self::NonParty,
        Self::Masses,
        Self::PartyActivist,
    ];

    /// Accepts the labels, the full names of GB/T 4762 and the short forms rosters use
    /// (党员, 团员, 民盟, 无党派, 积极分子 …), ignoring spaces and full-width letters.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let key: String = fold_width(s).chars().filter(|c| !c.is_whitespace()).collect();
        let status = match key.as_str() {
            "中共党员" | "党员" | "共产党员" | "中国共产党党员" | "中国共产党员" => {
                Self::CpcMember
            }
            "中共预备党员" | "预备党员" | "中国共产党预备党员" => Self::CpcProbationary,
            "共青团员" | "团员" | "中国共产主义青年团团员" => Self::LeagueMember,
            "民革会员" | "民革" | "中国国民党革命委员会会员" => Self::RcckmtMember,
            "民盟盟员" | "民盟" | "中国民主同盟盟员" => Self::CdlMember,
            "民建会员" | "民建" | "中国民主建国会会员" => Self::CndcaMember,
            "民进会员" | "民进" | "中国民主促进会会员" => Self::CapdMember,
            "农工党党员" | "农工党" | "中国农工民主党党员" => Self::CpwdpMember,
            "致公党党员" | "致公党" | "中国致公党党员" => Self::ZhigongMember,
            "九三学社社员" | "九三学社" => Self::JiusanMember,
            "台盟盟员" | "台盟" | "台湾民主自治同盟盟员" => Self::TdsglMember,
            "民主党派" | "民主党派成员" | "民主党派人士" | "民主党派党员" | "民主党派成员(未注明党派)" => {
                Self::DemocraticPartyUnspecified
            }
            "无党派人士" | "无党派" | "无党派民主人士" => Self::NonParty,
            "群众" => Self::Masses,
            "入党积极分子" | "积极分子" => Self::PartyActivist,
            _ => return Err("err.political_status"),
        };
        Ok(status)
    }

    /// The full Chinese name as shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::CpcMember => "中共党员",
            Self::CpcProbationary => "中共预备党员",
            Self::LeagueMember => "共青团员",
            Self::RcckmtMember => "民革会员",
            Self::CdlMember => "民盟盟员",
            Self::CndcaMember => "民建会员",
            Self::CapdMember => "民进会员",
            Self::CpwdpMember => "农工党党员",
            Self::ZhigongMember => "致公党党员",
            Self::JiusanMember => "九三学社社员",
            Self::TdsglMember => "台盟盟员",
            Self::DemocraticPartyUnspecified => "民主党派成员（未注明党派）",
            Self::NonParty => "无党派人士",
            Self::Masses => "群众",
            Self::PartyActivist => "入党积极分子",
        }
    }

    /// The stored form; never change one, rows in the database hold it.
    pub fn code(self) -> &'static str {
        match self {
            Self::CpcMember => "cpc_member",
            Self::CpcProbationary => "cpc_probationary",
            Self::LeagueMember => "league_member",
            Self::RcckmtMember => "rcckmt_member",
            Self::CdlMember => "cdl_member",
            Self::CndcaMember => "cndca_member",
            Self::CapdMember => "capd_member",
            Self::CpwdpMember => "cpwdp_member",
            Self::ZhigongMember => "zhigong_member",
            Self::JiusanMember => "jiusan_member",
            Self::TdsglMember => "tdsgl_member",
            Self::DemocraticPartyUnspecified => "democratic_party",
            Self::NonParty => "non_party",
            Self::Masses => "masses",
            Self::PartyActivist => "party_activist",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn is_league_member(self) -> bool {
        self == Self::LeagueMember
    }

    pub fn is_party_activist(self) -> bool {
        self == Self::PartyActivist
    }

    /// A status that maps to no single GB/T 4762 code: accepted, and shown as doubtful.
    pub fn is_unspecific(self) -> bool {
        self == Self::DemocraticPartyUnspecified
    }
}

#[cfg(test)]
mod tests {
    use super::PoliticalStatus as P;

    #[test]
    fn every_label_and_code_round_trips() {
        for s in P::ALL {
            assert_eq!(P::parse(s.label()), Ok(s), "{s:?}");
            assert_eq!(P::from_code(s.code()), Some(s), "{s:?}");
        }
    }

    #[test]
    fn labels_and_codes_are_distinct() {
        for (i, a) in P::ALL.iter().enumerate() {
            for b in &P::ALL[i + 1..] {
                assert_ne!(a, b);
                assert_ne!(a.label(), b.label());
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn codes_are_snake_case() {
        for s in P::ALL {
            assert!(
                s.code().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{}",
                s.code()
            );
        }
    }

    #[test]
    fn short_and_full_forms() {
        let cases: [(&str, P); 37] = [
            ("党员", P::CpcMember),
            ("中共党员", P::CpcMember),
            ("共产党员", P::CpcMember),
            ("中国共产党党员", P::CpcMember),
            ("中国共产党员", P::CpcMember),
            ("预备党员", P::CpcProbationary),
            ("中共预备党员", P::CpcProbationary),
            ("中国共产党预备党员", P::CpcProbationary),
            ("团员", P::LeagueMember),
            ("共青团员", P::LeagueMember),
            ("中国共产主义青年团团员", P::LeagueMember),
            ("民革", P::RcckmtMember),
            ("中国国民党革命委员会会员", P::RcckmtMember),
            ("民盟", P::CdlMember),
            ("中国民主同盟盟员", P::CdlMember),
            ("民建", P::CndcaMember),
            ("中国民主建国会会员", P::CndcaMember),
            ("民进", P::CapdMember),
            ("中国民主促进会会员", P::CapdMember),
            ("农工党", P::CpwdpMember),
            ("中国农工民主党党员", P::CpwdpMember),
            ("致公党", P::ZhigongMember),
            ("中国致公党党员", P::ZhigongMember),
            ("九三学社", P::JiusanMember),
            ("九三学社社员", P::JiusanMember),
            ("台盟", P::TdsglMember),
            ("台湾民主自治同盟盟员", P::TdsglMember),
            ("无党派", P::NonParty),
            ("无党派人士", P::NonParty),
            ("无党派民主人士", P::NonParty),
            ("群众", P::Masses),
            ("积极分子", P::PartyActivist),
            ("入党积极分子", P::PartyActivist),
            ("民革会员", P::RcckmtMember),
            ("民盟盟员", P::CdlMember),
            ("农工党党员", P::CpwdpMember),
            ("致公党党员", P::ZhigongMember),
        ];
        for (s, want) in cases {
            assert_eq!(P::parse(s), Ok(want), "{s}");
        }
    }

    #[test]
    fn spaces_and_full_width_are_ignored() {
        assert_eq!(P::parse("  党 员 "), Ok(P::CpcMember));
        assert_eq!(P::parse("\u{3000}共青团员\u{3000}"), Ok(P::LeagueMember));
        assert_eq!(P::parse("中共\u{3000}预备党员"), Ok(P::CpcProbationary));
        assert_eq!(P::parse("九三 学社"), Ok(P::JiusanMember));
        assert_eq!(P::parse("\t群众\n"), Ok(P::Masses));
    }

    #[test]
    fn unknown_statuses_are_refused() {
        for s in ["", " ", "党", "团", "民主", "共和党", "cpc_member", "积极", "群众们"] {
            assert_eq!(P::parse(s), Err("err.political_status"), "{s:?}");
        }
        assert_eq!(P::from_code("CPC_MEMBER"), None);
        assert_eq!(P::from_code("中共党员"), None);
        assert_eq!(P::from_code(""), None);
    }

    #[test]
    fn a_democratic_party_member_without_the_party_is_accepted_as_unspecific() {
        for s in [
            "民主党派",
            "民主党派成员",
            " 民主党派 成员 ",
            "民主党派成员（未注明党派）",
        ] {
            assert_eq!(P::parse(s), Ok(P::DemocraticPartyUnspecified), "{s}");
        }
        assert!(P::DemocraticPartyUnspecified.is_unspecific());
        assert!(P::ALL.iter().filter(|s| s.is_unspecific()).count() == 1);
    }

    #[test]
    fn predicates() {
        for s in P::ALL {
            assert_eq!(s.is_league_member(), s == P::LeagueMember, "{s:?}");
            assert_eq!(s.is_party_activist(), s == P::PartyActivist, "{s:?}");
        }
        assert!(P::parse("团员").unwrap().is_league_member());
        assert!(P::parse("积极分子").unwrap().is_party_activist());
    }
}
