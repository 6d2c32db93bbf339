//! Form fields for the generic form page, and lenient number parsing so that one input type
//! serves both HTML forms (where every value is text) and JSON.

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::FieldError;
use crate::i18n::{t, Lang};

#[derive(Clone, Debug, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One field of a form page, with its value and, after a failed submit, its error.
#[derive(Clone, Debug, Serialize)]
pub struct Field {
    pub name: &'static str,
    pub label: String,
    /// `text`, `tel`, `password`, `select`, `checkbox`.
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub choices: Vec<Choice>,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub maxlength: Option<usize>,
}

impl Field {
    pub fn text(lang: Lang, name: &'static str, label_key: &str, value: impl Into<String>) -> Field {
        Field {
            name,
            label: t(lang, label_key),
            kind: "text",
            value: value.into(),
            required: false,
            choices: vec![],
            hint: None,
            error: None,
            maxlength: Some(100),
        }
    }

    pub fn select(
        lang: Lang,
        name: &'static str,
        label_key: &str,
        value: impl Into<String>,
        choices: Vec<Choice>,
    ) -> Field {
        Field {
            kind: "select",
            choices,
            maxlength: None,
            ..Field::text(lang, name, label_key, value)
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    pub fn kind(mut self, kind: &'static str) -> Field {
        self.kind = kind;
        self
    }

    pub fn hint(mut self, lang: Lang, key: &str) -> Field {
        self.hint = Some(t(lang, key));
        self
    }
}

/// Puts each error next to its field; errors for fields not on the form are returned.
pub fn attach_errors(fields: &mut [Field], errors: &[FieldError], lang: Lang) -> Vec<String> {
    let mut rest = vec![];
    for e in errors {
        match fields.iter_mut().find(|f| f.name == e.field) {
            Some(f) => f.error = Some(e.message(lang)),
            None => rest.push(e.message(lang)),
        }
    }
    rest
}

/// Reads a number given as a JSON number or as form text; empty text is "not given".
pub fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumOrText {
        Num(i64),
        Text(String),
    }
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Num(n)) => Ok(Some(n)),
        Some(NumOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        // A value that is no number becomes -1, which no row has: the validation says "not found".
        Some(NumOrText::Text(s)) => Ok(Some(s.trim().parse().unwrap_or(-1))),
    }
}

/// Reads a checkbox: JSON true/false, or form text ("on", "true", "1"); absent is false.
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum BoolOrText {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<BoolOrText>::deserialize(d)? {
        None => None,
        Some(BoolOrText::Bool(b)) => Some(b),
        Some(BoolOrText::Text(s)) => Some(matches!(s.trim(), "on" | "true" | "1" | "yes")),
    })
}

/// Everything the generic form page shows.
#[derive(Clone, Debug, Serialize)]
pub struct FormPage {
    pub title: String,
    pub action: String,
    pub cancel: String,
    pub submit: String,
    pub fields: Vec<Field>,
    /// Problems that belong to no single field.
    pub errors: Vec<String>,
}

impl FormPage {
    pub fn new(
        lang: Lang,
        title: String,
        action: impl Into<String>,
        cancel: impl Into<String>,
        fields: Vec<Field>,
    ) -> FormPage {
        FormPage {
            title,
            action: action.into(),
            cancel: cancel.into(),
            submit: t(lang, "action.save"),
            fields,
            errors: vec![],
        }
    }

    /// Shows the errors of a failed submit next to their fields.
    pub fn with_errors(mut self, errors: &[FieldError], lang: Lang) -> FormPage {
        self.errors = attach_errors(&mut self.fields, errors, lang);
        self
    }
}

/// What a form post leads to: on success, `done` with a notice; on a validation error or a
/// conflict, the same form again with each error next to its field (422); anything else is
/// an error page.
pub async fn outcome<T, Fut>(
    state: &crate::state::AppState,
    ctx: &super::Ctx,
    result: crate::error::AppResult<T>,
    done: &str,
    form: impl FnOnce() -> Fut,
) -> crate::error::AppResult<axum::response::Response>
where
    Fut: std::future::Future<Output = crate::error::AppResult<FormPage>>,
{
    use crate::error::AppError;
    match result {
        Ok(_) => Ok(super::redirect_with_flash(done, "flash.saved", ctx.secure)),
        Err(AppError::Validation(errs) | AppError::Conflict(errs)) => {
            let page = form().await?.with_errors(&errs, ctx.lang);
            Ok(super::unprocessable(ctx.render_form(state, &page)))
        }
        Err(e) => Err(e),
    }
}
