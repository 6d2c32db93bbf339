//! The org tree's vocabulary: the kinds of node and the part of the tree a list is narrowed to.

/// The kinds of org node an account can belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgKind {
    Street,
    Community,
    Unit,
}

/// Which rows of a kind of object a user's lists show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    /// Rows under (or, for units, paired into) this street.
    Street(i64),
    /// Rows of (or paired with) this community.
    Community(i64),
    /// Rows of (or paired with) this unit.
    Unit(i64),
    /// Only the user's own account.
    OwnAccount(i64),
    Nothing,
}

/// The level a civilized unit (文明单位) is recognised at; stored and sent as `city` (市级),
/// `province` (省级) or `national` (全国级).
#[derive(Clone, Copy, Debug, PartialEq, Eq, sqlx::Type, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UnitLevel {
    City,
    Province,
    National,
}

impl UnitLevel {
    pub const ALL: [UnitLevel; 3] = [UnitLevel::City, UnitLevel::Province, UnitLevel::National];

    pub fn code(self) -> &'static str {
        match self {
            UnitLevel::City => "city",
            UnitLevel::Province => "province",
            UnitLevel::National => "national",
        }
    }

    /// The name the official forms write (附件1).
    pub fn label(self) -> &'static str {
        match self {
            UnitLevel::City => "市级",
            UnitLevel::Province => "省级",
            UnitLevel::National => "全国级",
        }
    }

    /// Reads a level as stored (`city`) or as written on forms (市级, 省级, 全国级).
    pub fn parse(s: &str) -> Option<UnitLevel> {
        match s.trim() {
            "city" | "市级" | "市" => Some(UnitLevel::City),
            "province" | "provincial" | "省级" | "省" => Some(UnitLevel::Province),
            "national" | "全国级" | "国家级" | "全国" => Some(UnitLevel::National),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::UnitLevel;

    #[test]
    fn unit_levels_read_back_and_from_forms() {
        for l in UnitLevel::ALL {
            assert_eq!(UnitLevel::parse(l.code()), Some(l));
            assert_eq!(UnitLevel::parse(l.label()), Some(l));
        }
        assert_eq!(UnitLevel::parse(" 省 "), Some(UnitLevel::Province));
        assert_eq!(UnitLevel::parse("district"), None);
    }
}
