//! The OpenAPI document. Each API route is declared once, in its feature's router, from its
//! handler's `#[utoipa::path]` annotation (utoipa-axum's `routes!`), so a route cannot exist
//! without being documented. [`finish`] then fills in what is the same for every operation: an
//! operationId unique in the document, the path parameters the route template names, and the
//! error answers every handler shares, each with the one error body.

use std::collections::HashSet;
use std::sync::OnceLock;

use axum::Json;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};
use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Leifeng API", description = "学雷锋志愿服务进社区: the district's volunteer campaign. \
        Sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer <token>`. \
        Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`; messages follow the account's language. \
        Lists answer `{\"items\", \"total\", \"page\", \"per_page\"}`."),
    components(schemas(crate::error::ErrorBody)),
    modifiers(&Bearer),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document, built once from the application's routes.
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOC: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOC.get_or_init(|| finish(crate::app::routes().into_openapi()))
}

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI document of this API", content_type = "application/json")))]
pub async fn api_document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(document())
}

/// Statuses any operation may answer besides its own, with why.
const SHARED_ERRORS: &[(&str, &str)] = &[
    (
        "400",
        "The request is malformed: a path or query parameter, or the body, cannot be read",
    ),
    ("403", "The account may not do this"),
    ("404", "No such record (or not visible to the account)"),
    ("422", "The input breaks a rule; `details` names each field"),
    (
        "429",
        "Too many requests or sign-in attempts: try again after `Retry-After` seconds",
    ),
    (
        "503",
        "The database cannot be reached or written, or the server is busy: try again after `Retry-After` seconds",
    ),
];

/// Completes what the annotations leave to the document as a whole (see the module comment).
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let error_body = || {
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(Ref::from_schema_name("ErrorBody"))))
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let template: Vec<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        let ops = [
            (HttpMethod::Get, item.get.as_mut()),
            (HttpMethod::Post, item.post.as_mut()),
            (HttpMethod::Put, item.put.as_mut()),
            (HttpMethod::Delete, item.delete.as_mut()),
            (HttpMethod::Patch, item.patch.as_mut()),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            name_operation(op);
            declare_path_params(op, &template);
            let public = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let mut shared: Vec<(&str, &str)> = SHARED_ERRORS.to_vec();
            if !public {
                shared.push(("401", "Not signed in, or the token has expired"));
            }
            if method != HttpMethod::Get {
                shared.push(("409", "The change clashes with what is stored"));
            }
            if op.request_body.is_some() {
                shared.push(("413", "The body is larger than the server accepts"));
                shared.push(("415", "The body is not of the declared content type"));
            }
            for (status, why) in shared {
                op.responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| RefOr::T(ResponseBuilder::new().description(why).build()));
            }
            for (status, response) in op.responses.responses.iter_mut() {
                let RefOr::T(response) = response else { continue };
                if status.starts_with('4') && response.content.is_empty() {
                    response.content.insert("application/json".to_string(), error_body());
                }
            }
        }
    }
    doc
}

/// operationId `<tag>_<handler>` (`teams_list`), unique where handler names repeat across features.
fn name_operation(op: &mut Operation) {
    let tag = op.tags.as_ref().and_then(|t| t.first()).cloned().unwrap_or_default();
    let name = op.operation_id.clone().unwrap_or_default();
    let name = name.strip_prefix("api_").unwrap_or(&name);
    op.operation_id = Some(if tag.is_empty() {
        name.to_string()
    } else {
        format!("{tag}_{name}")
    });
}

/// Declares each `{id}` or `{…_id}` of the route template the operation did not declare itself, as
/// an integer; any other path parameter must be declared in the handler's annotation.
fn declare_path_params(op: &mut Operation, template: &[String]) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    let declared: HashSet<String> = params
        .iter()
        .filter(|p| p.parameter_in == ParameterIn::Path)
        .map(|p| p.name.clone())
        .collect();
    let mut missing: Vec<Parameter> = vec![];
    for name in template.iter().filter(|n| !declared.contains(*n)) {
        assert!(
            name == "id" || name.ends_with("_id"),
            "{}: declare the path parameter {{{name}}} in its #[utoipa::path] params",
            op.operation_id.as_deref().unwrap_or_default()
        );
        let schema = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)));
        missing.push(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .description(Some("The record's id"))
                .schema(Some(schema))
                .build(),
        );
    }
    params.splice(0..0, missing);
    if params.is_empty() {
        op.parameters = None;
    }
}

#[cfg(test)]
mod tests {
    use utoipa::openapi::path::{OperationBuilder, PathItem, PathsBuilder};
    use utoipa::openapi::OpenApiBuilder;

    use super::*;

    fn doc_with(path: &str, method: HttpMethod) -> utoipa::openapi::OpenApi {
        let op = OperationBuilder::new()
            .operation_id(Some("api_get"))
            .tag("things")
            .build();
        OpenApiBuilder::new()
            .paths(PathsBuilder::new().path(path, PathItem::new(method, op)))
            .build()
    }

    #[test]
    fn ids_in_the_path_are_declared_and_operations_named_by_tag() {
        let doc = finish(doc_with("/api/v1/things/{id}/parts/{part_id}", HttpMethod::Delete));
        let op = doc.paths.paths["/api/v1/things/{id}/parts/{part_id}"]
            .delete
            .as_ref()
            .unwrap();
        assert_eq!(op.operation_id.as_deref(), Some("things_get"));
        let names: Vec<&str> = op
            .parameters
            .as_ref()
            .unwrap()
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["id", "part_id"]);
        for status in ["400", "401", "403", "404", "409", "422"] {
            assert!(op.responses.responses.contains_key(status), "{status}");
        }
    }

    #[test]
    #[should_panic(expected = "declare the path parameter {slug}")]
    fn other_path_parameters_must_be_declared_in_the_annotation() {
        finish(doc_with("/api/v1/things/{slug}", HttpMethod::Get));
    }
}
